// Vectorised operations over a row of floats (logits or weights) shared by the stages and the
// log-probabilities: reductions, exp with its sum, threshold counts and scans. Rows may hold -inf
// (removed tokens), never NaN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace mynah::sampling {

// Largest value; -inf for an empty row.
float max_value(std::span<const float> row);

// Position of the largest value, the lowest one on ties; 0 for an empty row.
size_t argmax_position(std::span<const float> row);

// out[i] = exp(row[i] - shift), exactly 0 where that is below float range (so -inf gives 0); returns
// the sum. Requires out.size() == row.size() and shift >= every row[i] (pass the max). Relative
// error < 2e-7.
double exp_shifted(std::span<const float> row, float shift, std::span<float> out);

// Sum of the row, accumulated in float blocks and double across blocks.
double sum(std::span<const float> row);

// Sum of the values >= floor.
double sum_at_least(std::span<const float> row, float floor);

// Number of values >= floor.
size_t count_at_least(std::span<const float> row, float floor);

// target[i] = fill wherever key[i] < floor. Requires target.size() == key.size().
void fill_below(std::span<const float> key, float floor, std::span<float> target, float fill);

// Writes the positions whose value is >= floor to out[0, count), ascending, and returns count. out
// must hold row.size() entries (callers keep a scratch row that only grows). Blocks of 16 with no
// such value are skipped with one vector compare; inside a block the writes are branch-free.
size_t positions_at_least(std::span<const float> row, float floor, std::span<int32_t> out);

// log(sum(exp(row))); -inf when every value is -inf or the row is empty.
float log_sum_exp(std::span<const float> row);

}  // namespace mynah::sampling
