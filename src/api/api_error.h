// ApiError: a request the API layer refuses, with the HTTP status and the offending parameter. Each
// dialect renders it in its vendor's error shape.
#pragma once

#include <string>

namespace mynah::api {

struct ApiError {
  int http_status = 400;
  std::string message;
  std::string param;                           // the parameter at fault, if any
  std::string type = "invalid_request_error";  // vendor error type where the vendor has one
};

inline ApiError bad_request(std::string param, std::string message) {
  return ApiError{400, std::move(message), std::move(param)};
}

}  // namespace mynah::api
