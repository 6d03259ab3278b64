// Unicode Normalization Form C (UAX #15) for the tokenizers whose Hugging Face pipeline starts
// with an NFC normalizer (Qwen2, Command-R, GPT-NeoX). Data: unicode_nfc_tables.cpp.
#pragma once

#include <string>
#include <string_view>

namespace mynah::tokenizer {

// False when `text` is certainly NFC already (no code point that NFC could change or combine),
// the common case, found in one pass that skips ASCII and anything below U+0300.
bool needs_nfc(std::string_view text);

// `text` in NFC. Bytes that are not valid UTF-8 are copied unchanged and split the text into
// separately normalized runs. O(n log n) even for a megabyte of combining marks.
std::string to_nfc(std::string_view text);

}  // namespace mynah::tokenizer
