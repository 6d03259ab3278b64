// The single list of dialects: a new vendor API is one file in dialects/ plus one line here.
#include "api/dialect.h"

namespace mynah::api {

std::unique_ptr<Dialect> make_openai_completions();

const std::vector<std::unique_ptr<Dialect>>& dialects() {
  static const std::vector<std::unique_ptr<Dialect>> kDialects = [] {
    std::vector<std::unique_ptr<Dialect>> d;
    d.push_back(make_openai_completions());
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
