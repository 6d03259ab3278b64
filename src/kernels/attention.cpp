// attend() through the kernel table, and the paged-cache row lookup every ISA's kernel shares.
#include "kernels/attention.h"

#include "kernels/kernel_table.h"

namespace mynah::kernels {

void attend(const AttentionQueries& queries) { kernels().attend(queries); }

void kv_chunk_rows(const KvPages& kv, int64_t kv_offset, int32_t p0, int n, const float** k, const float** v) {
  int32_t block_idx = p0 / kv.block_size;
  int32_t offset = p0 % kv.block_size;
  for (int j = 0; j < n; ++j) {
    const int64_t row =
        (static_cast<int64_t>(kv.block_table[block_idx]) * kv.block_size + offset) * kv.row_stride + kv_offset;
    k[j] = kv.k + row;
    v[j] = kv.v + row;
    if (++offset == kv.block_size) {
      offset = 0;
      ++block_idx;
    }
  }
}

}  // namespace mynah::kernels
