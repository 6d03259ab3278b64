// The HTTP server in-process on a free port with the stories260K engine: raw HTTP/1.1 over a socket
// (keep-alive, chunked SSE, limits, auth, disconnect cancellation) plus the routing and metrics helpers.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <regex>
#include <thread>

#include "server/http_server.h"
#include "server/router.h"
#include "server/server_context.h"

namespace mynah::server {
namespace {

namespace net = boost::asio;
using net::ip::tcp;

std::unique_ptr<engine::Engine> stories_engine() {
  auto f = gguf::GgufFile::open(std::string(MYNAH_SOURCE_ROOT) + "/models/stories260K.gguf");
  auto file = std::make_shared<gguf::GgufFile>(std::move(f).value());
  auto tok = tokenizer::Tokenizer::from_gguf(*file);
  std::shared_ptr<model::Model> model = std::move(model::load_model(file)).value();
  engine::EngineOptions o;
  o.n_threads = 1;
  return std::move(engine::Engine::create(model, std::move(tok).value(), o)).value();
}

class LiveServer : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.add("stories260K", stories_engine());
    ServerOptions o;
    o.port = 0;
    o.api_keys = {"secret"};
    o.max_body_bytes = 4096;
    server_ = std::make_unique<HttpServer>(o, registry_);
    ASSERT_TRUE(server_->start().ok());
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  tcp::socket connect() {
    tcp::socket s(ioc_);
    s.connect({net::ip::make_address("127.0.0.1"), server_->port()});
    return s;
  }
  // Sends one request and reads one response (Content-Length or chunked) from the socket.
  static std::string exchange(tcp::socket& s, const std::string& request) {
    net::write(s, net::buffer(request));
    std::string data;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      const size_t n = s.read_some(net::buffer(buf), ec);
      data.append(buf, n);
      const size_t head_end = data.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::smatch m;
        const std::string head = data.substr(0, head_end);
        if (std::regex_search(head, m, std::regex("Content-Length: (\\d+)")) && data.size() >= head_end + 4 + std::stoul(m[1])) break;
        if (head.find("chunked") != std::string::npos && data.ends_with("0\r\n\r\n")) break;
      }
      if (ec) break;
    }
    return data;
  }
  static std::string post(const std::string& path, const std::string& body, const std::string& extra = "Authorization: Bearer secret\r\n") {
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  net::io_context ioc_;
  ModelRegistry registry_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(LiveServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto s = connect();
  auto r1 = exchange(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(r1.find("200 OK"), std::string::npos);
  auto r2 = exchange(s, post("/v1/completions", R"({"prompt":"Once upon a time","max_tokens":8,"temperature":0})"));
  EXPECT_NE(r2.find("\"text\":\", there was a little girl\""), std::string::npos) << r2;
  auto r3 = exchange(s, "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(r3.find("stories260K"), std::string::npos);
}

TEST_F(LiveServer, StreamsServerSentEventsOverChunkedEncoding) {
  auto s = connect();
  auto r = exchange(s, post("/v1/completions", R"({"prompt":"Once upon a time","max_tokens":4,"temperature":0,"stream":true})"));
  EXPECT_NE(r.find("Transfer-Encoding: chunked"), std::string::npos);
  EXPECT_NE(r.find("text/event-stream"), std::string::npos);
  EXPECT_NE(r.find("data: [DONE]"), std::string::npos);
  EXPECT_NE(r.find("\"text\":\" there\""), std::string::npos) << r;
}

TEST_F(LiveServer, RejectsMissingKeyTooLargeBodyAndUnknownRoutes) {
  auto s = connect();
  EXPECT_NE(exchange(s, post("/v1/completions", R"({"prompt":"x"})", "")).find("401"), std::string::npos);
  EXPECT_NE(exchange(s, post("/v1/completions", R"({"prompt":"x"})", "Authorization: Bearer wrong\r\n")).find("401"), std::string::npos);
  EXPECT_NE(exchange(s, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").find("404"), std::string::npos);
  EXPECT_NE(exchange(s, "DELETE /health HTTP/1.1\r\nHost: x\r\n\r\n").find("405"), std::string::npos);
  auto big = exchange(s, post("/v1/completions", "{\"prompt\":\"" + std::string(8000, 'a') + "\"}"));
  EXPECT_NE(big.find("413"), std::string::npos) << big.substr(0, 200);
  auto s2 = connect();
  auto bad = exchange(s2, post("/v1/completions", "{not json"));
  EXPECT_NE(bad.find("400"), std::string::npos);
  EXPECT_NE(bad.find("not valid JSON"), std::string::npos);
}

TEST_F(LiveServer, ClientDisconnectCancelsGeneration) {
  {
    auto s = connect();
    net::write(s, net::buffer(post("/v1/completions", R"({"prompt":"Once","max_tokens":480,"n":16,"temperature":1,"stream":true})")));
    char buf[256];
    s.read_some(net::buffer(buf));  // the stream has started
  }  // socket closed mid-stream
  auto& engine = *registry_.find("");
  std::string metrics;
  // Poll until the engine has noticed the disconnect; the generous bound only matters on a machine
  // loaded by parallel test processes, where one engine step can take a long time.
  auto settled = [&] {
    return metrics.find("mynah_requests_total{finish_reason=\"cancelled\"} 16") != std::string::npos &&
           metrics.find("mynah_requests_running 0") != std::string::npos &&
           metrics.find("mynah_kv_blocks_used 0") != std::string::npos;
  };
  for (int i = 0; i < 3000; ++i) {
    metrics = engine.metrics_text();
    if (settled()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(metrics.find("mynah_requests_running 0"), std::string::npos);
  EXPECT_NE(metrics.find("mynah_kv_blocks_used 0"), std::string::npos);
  EXPECT_NE(metrics.find("mynah_requests_total{finish_reason=\"cancelled\"} 16"), std::string::npos) << metrics;
}

TEST_F(LiveServer, DialectRouteWithTheWrongMethodIs405WithAllowInTheDialectShape) {
  auto s = connect();
  // RFC 9110: a 405 carries Allow; Cohere's route answers in Cohere's {"message"} shape.
  auto r = exchange(s, "GET /v1/generate HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 405", 0), 0u) << r;
  EXPECT_NE(r.find("\r\nAllow: POST\r\n"), std::string::npos) << r;
  EXPECT_NE(r.find("{\"message\":"), std::string::npos) << r;
}

TEST_F(LiveServer, CohereStopSequencesKeepTheMatchAndEndSequencesCutIt) {
  auto s = connect();
  const std::string headers = "Authorization: Bearer secret\r\nCohere-Version: 2022-12-06\r\n";
  const std::string greedy = R"("prompt":"Once upon a time","temperature":0,"max_tokens":40)";
  auto kept = exchange(s, post("/v1/generate", "{" + greedy + R"(,"stop_sequences":["Lily"]})", headers));
  EXPECT_NE(kept.find(R"("text":", there was a little girl named Lily")"), std::string::npos) << kept;
  auto cut = exchange(s, post("/v1/generate", "{" + greedy + R"(,"end_sequences":["Lily"]})", headers));
  EXPECT_NE(cut.find(R"("text":", there was a little girl named ")"), std::string::npos) << cut;
}

TEST_F(LiveServer, EchoTextOffsetsIndexThePromptAsGiven) {
  auto s = connect();
  auto r = exchange(s, post("/v1/completions", R"({"prompt":"Once upon a time","max_tokens":3,"temperature":0,"echo":true,"logprobs":0})"));
  // The pieces spell " Once upon a time" (SentencePiece's added space); the echoed text does not.
  EXPECT_NE(r.find(R"("text":"Once upon a time, there was")"), std::string::npos) << r;
  EXPECT_NE(r.find(R"("text_offset":[0,0,4,9,11,16,17,23])"), std::string::npos) << r;
  EXPECT_NE(r.find(R"("tokens":["","Once"," upon"," a"," time",","," there"," was"])"), std::string::npos) << r;
}

TEST(Router, MatchesBuiltinsDialectsAndMethods) {
  EXPECT_EQ(match_route("GET", "/health?x=1").kind, RouteKind::kHealth);
  EXPECT_EQ(match_route("POST", "/v1/completions").kind, RouteKind::kDialect);
  const RouteMatch wrong_method = match_route("GET", "/v1/completions");
  EXPECT_EQ(wrong_method.kind, RouteKind::kMethodNotAllowed);
  EXPECT_EQ(wrong_method.allowed_methods, "POST");  // the Allow header a 405 must carry
  ASSERT_NE(wrong_method.dialect, nullptr);          // so the 405 is in that dialect's error shape
  EXPECT_EQ(match_route("PUT", "/muse/v1/create").allowed_methods, "POST");
  EXPECT_EQ(match_route("POST", "/health").allowed_methods, "GET");
  EXPECT_EQ(match_route("GET", "/v2/nothing").kind, RouteKind::kNotFound);
}

TEST(ServerContext, KeyMatchesExactlyInConstantTime) {
  EXPECT_TRUE(key_matches({"a", "secret"}, "secret"));
  EXPECT_FALSE(key_matches({"secret"}, "secre"));
  EXPECT_FALSE(key_matches({"secret"}, "secret2"));
  EXPECT_FALSE(key_matches({}, ""));
}

}  // namespace
}  // namespace mynah::server
