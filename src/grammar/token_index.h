// TokenIndex: for one tokenizer, every maskable token's bytes plus byte tries over them. Built
// once per vocabulary and shared by all matchers. Control, unknown and unused tokens and empty
// pieces are left out of the trie, so no mask can ever allow them (EOS is added by the caller).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/token_trie.h"
#include "tokenizer/tokenizer.h"

namespace mynah::grammar {

class TokenIndex {
 public:
  static std::shared_ptr<const TokenIndex> from_tokenizer(const tokenizer::Tokenizer& tok);
  // pieces[id] = the token's bytes; excluded[id] (optional, same size) keeps it out of the trie.
  static std::shared_ptr<const TokenIndex> from_pieces(std::vector<std::string> pieces,
                                                       std::vector<bool> excluded = {});

  int32_t n_tokens() const { return static_cast<int32_t>(pieces_.size()); }
  // Words a mask for this vocabulary needs: ceil(n_tokens / 64).
  size_t n_mask_words() const { return (pieces_.size() + 63) / 64; }
  std::string_view piece(int32_t id) const { return pieces_[static_cast<size_t>(id)]; }
  bool maskable(int32_t id) const { return id >= 0 && id < n_tokens() && maskable_[static_cast<size_t>(id)]; }

  // Maskable tokens of at most kShortTokenBytes bytes, and the longer ones. Mask caching keys
  // short-token results by what an automaton state does over the next kShortTokenBytes bytes
  // (which merges e.g. most positions of a maxLength string); the few long tokens (about 1% of
  // a 128k vocabulary) are cached per exact state.
  static constexpr size_t kShortTokenBytes = 16;
  const TokenTrie& short_trie() const { return short_trie_; }
  const TokenTrie& long_trie() const { return long_trie_; }

 private:
  std::vector<std::string> pieces_;
  std::vector<char> maskable_;
  TokenTrie short_trie_;
  TokenTrie long_trie_;
};

}  // namespace mynah::grammar
