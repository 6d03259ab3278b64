// The single list of dialects: a new vendor API is one file in dialects/ plus one line here.
#include "api/dialect.h"

namespace mynah::api {

std::unique_ptr<Dialect> make_openai_completions();
std::unique_ptr<Dialect> make_fireworks_completions();
std::unique_ptr<Dialect> make_friendli_completions();
std::unique_ptr<Dialect> make_cohere_generate();
std::unique_ptr<Dialect> make_lighton_create();

const std::vector<std::unique_ptr<Dialect>>& dialects() {
  static const std::vector<std::unique_ptr<Dialect>> kDialects = [] {
    std::vector<std::unique_ptr<Dialect>> d;
    for (auto make : {&make_openai_completions, &make_fireworks_completions, &make_friendli_completions,
                      &make_cohere_generate, &make_lighton_create}) {
      if (auto dialect = make()) d.push_back(std::move(dialect));
    }
    return d;
  }();
  return kDialects;
}

std::string sse_data(std::string_view payload) {
  std::string out = "data: ";
  out.append(payload);
  out += "\n\n";
  return out;
}

}  // namespace mynah::api
