// Recursive-descent ECMA regex parser that emits expressions directly (no separate AST).
#include "grammar/regex_compiler.h"

#include <string>
#include <utility>
#include <vector>

namespace mynah::grammar {
namespace {

constexpr int32_t kMaxRepeat = 10000;

struct Branch {
  ExprId expr;
  bool anchored_start;
  bool anchored_end;
};

class RegexParser {
 public:
  RegexParser(ExprPool& pool, std::string_view pattern, TextEncoding encoding)
      : pool_(pool), encoding_(encoding) {
    decode(pattern);
  }

  util::Result<ExprId> parse_top(RegexAnchoring anchoring) {
    if (!error_.empty()) return util::make_error("{}", error_);
    std::vector<ExprId> alts;
    const ExprId any = pool_.star(pool_.alt({encode(CodepointSet::all())}));
    while (true) {
      auto branch = parse_concat(/*top=*/true);
      if (!branch) return branch.take_error();
      std::vector<ExprId> parts;
      const bool free = anchoring == RegexAnchoring::kSearch;
      if (free && !branch->anchored_start) parts.push_back(any);
      parts.push_back(branch->expr);
      if (free && !branch->anchored_end) parts.push_back(any);
      alts.push_back(pool_.seq(std::move(parts)));
      if (pos_ < cps_.size() && cps_[pos_] == '|') {
        ++pos_;
        continue;
      }
      break;
    }
    if (pos_ != cps_.size()) return err("unbalanced ')'");
    return pool_.alt(std::move(alts));
  }

 private:
  util::Error err(std::string_view what) const {
    return util::make_error("pattern: {} at offset {}", what, pos_);
  }
  bool at_end() const { return pos_ >= cps_.size(); }
  uint32_t peek() const { return cps_[pos_]; }

  void decode(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
      const auto c = static_cast<uint8_t>(s[i]);
      const int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (n == 0 || i + static_cast<size_t>(n) > s.size()) {
        error_ = "pattern: invalid UTF-8";
        return;
      }
      uint32_t cp = n == 1 ? c : (c & (0x7F >> n));
      for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
      cps_.push_back(cp);
      i += static_cast<size_t>(n);
    }
  }

  ExprId encode(const CodepointSet& set) { return encode_codepoints(pool_, set, encoding_); }

  util::Result<ExprId> parse_alternation() {
    std::vector<ExprId> alts;
    while (true) {
      auto branch = parse_concat(/*top=*/false);
      if (!branch) return branch.take_error();
      alts.push_back(branch->expr);
      if (!at_end() && peek() == '|') {
        ++pos_;
        continue;
      }
      return pool_.alt(std::move(alts));
    }
  }

  util::Result<Branch> parse_concat(bool top) {
    Branch b{pool_.empty(), false, false};
    std::vector<ExprId> items;
    while (!at_end() && peek() != '|' && peek() != ')') {
      if (peek() == '^') {
        if (!top || !items.empty() || b.anchored_start) return err("'^' not at the start of the pattern");
        b.anchored_start = true;
        ++pos_;
        continue;
      }
      if (peek() == '$') {
        ++pos_;
        if (!top || (!at_end() && peek() != '|')) return err("'$' not at the end of the pattern");
        b.anchored_end = true;
        break;
      }
      auto atom = parse_atom();
      if (!atom) return atom.take_error();
      auto quantified = parse_quantifier(*atom);
      if (!quantified) return quantified.take_error();
      items.push_back(*quantified);
    }
    b.expr = pool_.seq(std::move(items));
    return b;
  }

  bool parse_int(int32_t& out) {
    const size_t start = pos_;
    int64_t v = 0;
    while (!at_end() && peek() >= '0' && peek() <= '9') {
      v = std::min<int64_t>(v * 10 + (peek() - '0'), int64_t{1} << 30);
      ++pos_;
    }
    out = static_cast<int32_t>(v);
    return pos_ > start;
  }

  util::Result<ExprId> parse_quantifier(ExprId atom) {
    if (at_end()) return atom;
    int32_t lo = 0;
    int32_t hi = -1;
    const uint32_t c = peek();
    if (c == '*') {
      ++pos_;
    } else if (c == '+') {
      lo = 1;
      ++pos_;
    } else if (c == '?') {
      hi = 1;
      ++pos_;
    } else if (c == '{') {
      const size_t save = pos_;
      ++pos_;
      if (!parse_int(lo)) {
        pos_ = save;  // Annex B: a '{' that does not start a quantifier is a literal
        return atom;
      }
      hi = lo;
      if (!at_end() && peek() == ',') {
        ++pos_;
        hi = -1;
        if (!parse_int(hi)) hi = -1;
      }
      if (at_end() || peek() != '}') {
        pos_ = save;
        return atom;
      }
      ++pos_;
      if (hi >= 0 && hi < lo) return err("quantifier {n,m} with m < n");
      if (lo > kMaxRepeat || hi > kMaxRepeat) return err("too large: repetition count");
    } else {
      return atom;
    }
    if (!at_end() && peek() == '?') ++pos_;  // lazy: same language
    if (!at_end() && (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{')) {
      if (peek() != '{') return err("nothing to repeat");
    }
    return pool_.repeat(atom, lo, hi);
  }

  util::Result<ExprId> parse_atom() {
    const uint32_t c = peek();
    ++pos_;
    switch (c) {
      case '(': return parse_group();
      case '[': return parse_class();
      case '.': {
        CodepointSet line_terms;
        line_terms.add('\n', '\n');
        line_terms.add('\r', '\r');
        line_terms.add(0x2028, 0x2029);
        return encode(line_terms.complement());
      }
      case '\\': {
        CodepointSet set;
        auto st = parse_escape(/*in_class=*/false, set);
        if (!st) return st.take_error();
        return encode(set);
      }
      case '*':
      case '+':
      case '?': return err("nothing to repeat");
      default: return encode(CodepointSet::of(c, c));
    }
  }

  util::Result<ExprId> parse_group() {
    if (!at_end() && peek() == '?') {
      ++pos_;
      if (at_end()) return err("bad group");
      const uint32_t k = peek();
      if (k == ':') {
        ++pos_;
      } else if (k == '<' || k == 'P') {
        if (k == 'P') ++pos_;
        if (at_end() || peek() != '<') return err("bad group");
        ++pos_;
        if (!at_end() && (peek() == '=' || peek() == '!')) return err("lookbehind is not supported");
        while (!at_end() && peek() != '>') ++pos_;
        if (at_end()) return err("bad group name");
        ++pos_;
      } else {
        return err("lookahead and inline flags are not supported");
      }
    }
    auto inner = parse_alternation();
    if (!inner) return inner;
    if (at_end() || peek() != ')') return err("missing ')'");
    ++pos_;
    return inner;
  }

  util::Result<uint32_t> parse_hex(int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
      if (at_end()) return err("bad hex escape");
      const uint32_t d = peek();
      uint32_t x = 0;
      if (d >= '0' && d <= '9') {
        x = d - '0';
      } else if ((d | 0x20) >= 'a' && (d | 0x20) <= 'f') {
        x = (d | 0x20) - 'a' + 10;
      } else {
        return err("bad hex escape");
      }
      v = v * 16 + x;
      ++pos_;
    }
    return v;
  }

  static CodepointSet class_d() { return CodepointSet::of('0', '9'); }
  static CodepointSet class_w() {
    CodepointSet s = CodepointSet::of('0', '9');
    s.add('A', 'Z');
    s.add('a', 'z');
    s.add('_', '_');
    return s;
  }
  static CodepointSet class_s() {
    CodepointSet s = CodepointSet::of('\t', '\r');
    for (uint32_t cp : {0x20u, 0xA0u, 0x1680u, 0x2028u, 0x2029u, 0x202Fu, 0x205Fu, 0x3000u, 0xFEFFu}) s.add(cp, cp);
    s.add(0x2000, 0x200A);
    return s;
  }

  util::Status parse_escape(bool in_class, CodepointSet& out) {
    if (at_end()) return err("trailing backslash");
    const uint32_t c = peek();
    ++pos_;
    switch (c) {
      case 'd': out = class_d(); return {};
      case 'D': out = class_d().complement(); return {};
      case 'w': out = class_w(); return {};
      case 'W': out = class_w().complement(); return {};
      case 's': out = class_s(); return {};
      case 'S': out = class_s().complement(); return {};
      case 't': out = CodepointSet::of('\t', '\t'); return {};
      case 'n': out = CodepointSet::of('\n', '\n'); return {};
      case 'r': out = CodepointSet::of('\r', '\r'); return {};
      case 'f': out = CodepointSet::of('\f', '\f'); return {};
      case 'v': out = CodepointSet::of('\v', '\v'); return {};
      case '0': out = CodepointSet::of(0, 0); return {};
      case 'b':
        if (in_class) {
          out = CodepointSet::of('\b', '\b');
          return {};
        }
        return err("word boundary \\b is not supported");
      case 'B': return err("\\B is not supported");
      case 'p':
      case 'P': return err("unicode property escapes are not supported");
      case 'c': {
        if (at_end() || !((peek() | 0x20) >= 'a' && (peek() | 0x20) <= 'z')) return err("bad \\c escape");
        const uint32_t v = peek() % 32;
        ++pos_;
        out = CodepointSet::of(v, v);
        return {};
      }
      case 'x': {
        auto v = parse_hex(2);
        if (!v) return v.take_error();
        out = CodepointSet::of(*v, *v);
        return {};
      }
      case 'u': {
        if (!at_end() && peek() == '{') {
          ++pos_;
          uint32_t v = 0;
          while (!at_end() && peek() != '}') {
            auto d = parse_hex(1);
            if (!d) return d.take_error();
            v = v * 16 + *d;
            if (v > 0x10FFFF) return err("bad \\u{} escape");
          }
          if (at_end()) return err("bad \\u{} escape");
          ++pos_;
          out = CodepointSet::of(v, v);
          return {};
        }
        auto v = parse_hex(4);
        if (!v) return v.take_error();
        if (*v >= 0xD800 && *v <= 0xDFFF) return err("surrogate escapes are not supported");
        out = CodepointSet::of(*v, *v);
        return {};
      }
      default:
        if (c >= '1' && c <= '9') return err("backreferences are not supported");
        if (c == 'k' && !in_class) return err("backreferences are not supported");
        out = CodepointSet::of(c, c);  // identity escape
        return {};
    }
  }

  util::Result<ExprId> parse_class() {
    bool negate = false;
    if (!at_end() && peek() == '^') {
      negate = true;
      ++pos_;
    }
    CodepointSet set;
    while (true) {  // ECMA: "[]" matches nothing and "[^]" anything, unlike PCRE
      if (at_end()) return err("missing ']'");
      if (peek() == ']') break;
      CodepointSet lo_set;
      auto st = parse_class_atom(lo_set);
      if (!st) return st.take_error();
      const bool single = lo_set.ranges().size() == 1 && lo_set.ranges()[0].lo == lo_set.ranges()[0].hi;
      if (single && pos_ + 1 < cps_.size() && peek() == '-' && cps_[pos_ + 1] != ']') {
        ++pos_;
        CodepointSet hi_set;
        auto st2 = parse_class_atom(hi_set);
        if (!st2) return st2.take_error();
        if (hi_set.ranges().size() != 1 || hi_set.ranges()[0].lo != hi_set.ranges()[0].hi) {
          return err("bad class range");
        }
        const uint32_t lo = lo_set.ranges()[0].lo;
        const uint32_t hi = hi_set.ranges()[0].lo;
        if (hi < lo) return err("class range out of order");
        set.add(lo, hi);
        continue;
      }
      set.add(lo_set);
    }
    ++pos_;
    return encode(negate ? set.complement() : set);
  }

  util::Status parse_class_atom(CodepointSet& out) {
    const uint32_t c = peek();
    ++pos_;
    if (c == '\\') return parse_escape(/*in_class=*/true, out);
    out = CodepointSet::of(c, c);
    return {};
  }

  ExprPool& pool_;
  TextEncoding encoding_;
  std::vector<uint32_t> cps_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

util::Result<ExprId> compile_regex(ExprPool& pool, std::string_view pattern, TextEncoding encoding,
                                   RegexAnchoring anchoring) {
  RegexParser parser(pool, pattern, encoding);
  return parser.parse_top(anchoring);
}

}  // namespace mynah::grammar
