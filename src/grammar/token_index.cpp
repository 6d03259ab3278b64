// TokenIndex: which tokens a mask may ever allow, split into the short- and long-token tries.
#include "grammar/token_index.h"

#include <algorithm>

namespace mynah::grammar {

std::shared_ptr<const TokenIndex> TokenIndex::from_tokenizer(const tokenizer::Tokenizer& tok) {
  const int32_t n = tok.n_vocab();
  std::vector<std::string> pieces(static_cast<size_t>(n));
  std::vector<bool> excluded(static_cast<size_t>(n), false);
  for (int32_t id = 0; id < n; ++id) {
    const auto type = tok.vocab().type(id);
    const bool special = type == tokenizer::TokenType::kControl || type == tokenizer::TokenType::kUnknown ||
                         type == tokenizer::TokenType::kUnused || tok.is_end_of_generation(id);
    // USER_DEFINED tokens written like "<|...|>" or "<...>" are chat/special markers in practice.
    const std::string& text = tok.token_text(id);
    const bool marker = type == tokenizer::TokenType::kUserDefined && text.size() > 2 && text.front() == '<' &&
                        text.back() == '>';
    excluded[static_cast<size_t>(id)] = special || marker;
    if (!special) pieces[static_cast<size_t>(id)] = tok.token_to_piece(id);
  }
  return from_pieces(std::move(pieces), std::move(excluded));
}

std::shared_ptr<const TokenIndex> TokenIndex::from_pieces(std::vector<std::string> pieces, std::vector<bool> excluded) {
  auto index = std::shared_ptr<TokenIndex>(new TokenIndex());
  index->maskable_.resize(pieces.size(), 0);
  for (size_t i = 0; i < pieces.size(); ++i) {
    const bool ex = i < excluded.size() && excluded[i];
    index->maskable_[i] = !ex && !pieces[i].empty();
  }
  index->pieces_ = std::move(pieces);
  std::vector<int32_t> short_ids;
  std::vector<int32_t> long_ids;
  for (size_t i = 0; i < index->pieces_.size(); ++i) {
    if (!index->maskable_[i]) continue;
    (index->pieces_[i].size() <= kShortTokenBytes ? short_ids : long_ids).push_back(static_cast<int32_t>(i));
  }
  index->short_trie_ = TokenTrie::build(index->pieces_, std::move(short_ids));
  index->long_trie_ = TokenTrie::build(index->pieces_, std::move(long_ids));
  return index;
}

}  // namespace mynah::grammar
