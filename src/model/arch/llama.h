// The GGUF `llama` architecture (Llama 1/2/3, TinyLlama, Mistral 7B v0.1, SmolLM): pre-norm
// decoder with RMSNorm, RoPE, grouped-query attention and a SwiGLU feed-forward.
#pragma once

#include <memory>

#include "model/model.h"

namespace mynah::model {

util::Result<std::unique_ptr<Model>> load_llama(std::shared_ptr<const gguf::GgufFile> file, ModelConfig config);

}  // namespace mynah::model
