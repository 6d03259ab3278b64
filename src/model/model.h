// The model interface every architecture implements, and the loader that picks one by
// general.architecture (see arch_registry.cpp).
#pragma once

#include <memory>

#include "gguf/gguf_reader.h"
#include "model/forward_batch.h"
#include "model/kv_cache.h"
#include "model/model_config.h"
#include "util/status.h"
#include "util/thread_pool.h"

namespace mynah::model {

class Model {
 public:
  virtual ~Model() = default;
  virtual const ModelConfig& config() const = 0;

  // Computes every entry of `batch`, writing its keys/values into `cache`, and fills `logits`
  // ([batch.n_logit_rows()][n_vocab], rows in entry order) for the entries that want them.
  // A sequence's logits do not depend on what else is in the batch or on the thread count.
  virtual util::Status forward(const ForwardBatch& batch, KvCache& cache, util::ThreadPool& pool,
                               float* logits) = 0;

  KvCache make_kv_cache(int32_t n_blocks, int32_t block_size) const {
    return KvCache(config().n_layers, config().kv_dim(), n_blocks, block_size);
  }
};

// Loads the architecture named in the file's metadata. The model keeps `file` alive: its weights
// point into the file's mapping.
util::Result<std::unique_ptr<Model>> load_model(std::shared_ptr<const gguf::GgufFile> file);

}  // namespace mynah::model
