#include "stun/opaque_string.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/utf16.h>

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pinhole::stun {
namespace {

// Decodes one code point at `text[*i]`, advancing `*i`; -1 when malformed.
int32_t DecodeOne(absl::string_view text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(*i);
  if (b0 < 0x80) {
    ++*i;
    return b0;
  }
  int extra;
  int32_t cp;
  int32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (text.size() - *i <= static_cast<size_t>(extra)) return -1;
  for (int k = 1; k <= extra; ++k) {
    const uint8_t b = byte(*i + k);
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *i += extra + 1;
  return cp;
}

void AppendUtf8(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The PRECIS derived property of a code point for the FreeformClass
// (RFC 8264 §8, §9), with its exceptions from RFC 5892 §2.6.
enum class Property { kValid, kContextJ, kContextO, kDisallowed };

struct Verdict {
  Property property;
  const char* reason;  // Why, when disallowed.
};

bool IsDisallowedException(int32_t cp) {
  return cp == 0x0640 || cp == 0x07FA || cp == 0x302E || cp == 0x302F ||
         (cp >= 0x3031 && cp <= 0x3035) || cp == 0x303B;
}

bool IsContextOException(int32_t cp) {
  return cp == 0x00B7 || cp == 0x0375 || cp == 0x05F3 || cp == 0x05F4 ||
         cp == 0x30FB || (cp >= 0x0660 && cp <= 0x0669) ||
         (cp >= 0x06F0 && cp <= 0x06F9);
}

bool HasCompatibilityDecomposition(int32_t cp) {
  UErrorCode error = U_ZERO_ERROR;
  const UNormalizer2* nfkc = unorm2_getNFKCInstance(&error);
  if (U_FAILURE(error)) return false;
  UChar text[2];
  int32_t length = 0;
  U16_APPEND_UNSAFE(text, length, cp);
  return !unorm2_isNormalized(nfkc, text, length, &error) && U_SUCCESS(error);
}

Verdict Classify(int32_t cp) {
  switch (cp) {
    case 0x00DF:
    case 0x03C2:
    case 0x06FD:
    case 0x06FE:
    case 0x0F0B:
    case 0x3007:
      return {Property::kValid, nullptr};
    default:
      break;
  }
  if (IsContextOException(cp)) return {Property::kContextO, nullptr};
  if (IsDisallowedException(cp)) {
    return {Property::kDisallowed, "an RFC 5892 exception"};
  }
  const int8_t category = u_charType(cp);
  if (u_hasBinaryProperty(cp, UCHAR_NONCHARACTER_CODE_POINT)) {
    return {Property::kDisallowed, "a noncharacter"};
  }
  if (category == U_UNASSIGNED) {
    return {Property::kDisallowed, "unassigned in Unicode"};
  }
  if (cp >= 0x21 && cp <= 0x7E) return {Property::kValid, nullptr};
  if (cp == 0x200C || cp == 0x200D) return {Property::kContextJ, nullptr};
  const int hangul = u_getIntPropertyValue(cp, UCHAR_HANGUL_SYLLABLE_TYPE);
  if (hangul == U_HST_LEADING_JAMO || hangul == U_HST_VOWEL_JAMO ||
      hangul == U_HST_TRAILING_JAMO) {
    return {Property::kDisallowed, "an old Hangul jamo"};
  }
  if (u_hasBinaryProperty(cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
    return {Property::kDisallowed, "a default ignorable code point"};
  }
  if (category == U_CONTROL_CHAR) {
    return {Property::kDisallowed, "a control character"};
  }
  if (HasCompatibilityDecomposition(cp)) return {Property::kValid, nullptr};
  switch (category) {
    // LetterDigits and OtherLetterDigits.
    case U_LOWERCASE_LETTER:
    case U_UPPERCASE_LETTER:
    case U_OTHER_LETTER:
    case U_DECIMAL_DIGIT_NUMBER:
    case U_MODIFIER_LETTER:
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_TITLECASE_LETTER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
    case U_ENCLOSING_MARK:
    // Spaces.
    case U_SPACE_SEPARATOR:
    // Symbols.
    case U_MATH_SYMBOL:
    case U_CURRENCY_SYMBOL:
    case U_MODIFIER_SYMBOL:
    case U_OTHER_SYMBOL:
    // Punctuation.
    case U_CONNECTOR_PUNCTUATION:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
      return {Property::kValid, nullptr};
    default:
      return {Property::kDisallowed,
              "not a letter, digit, space, symbol or punctuation"};
  }
}

UScriptCode ScriptOf(int32_t cp) {
  UErrorCode error = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(cp, &error);
  return U_SUCCESS(error) ? script : USCRIPT_INVALID_CODE;
}

bool IsVirama(int32_t cp) { return u_getCombiningClass(cp) == 9; }

int JoiningType(int32_t cp) {
  return u_getIntPropertyValue(cp, UCHAR_JOINING_TYPE);
}

// The contextual rules of RFC 5892 Appendix A, for the code point at `i`.
bool ContextAllows(const std::vector<int32_t>& cps, size_t i) {
  const int32_t cp = cps[i];
  const bool has_before = i > 0;
  const bool has_after = i + 1 < cps.size();
  switch (cp) {
    case 0x200D:  // A.2 ZERO WIDTH JOINER.
      return has_before && IsVirama(cps[i - 1]);
    case 0x200C: {  // A.1 ZERO WIDTH NON-JOINER.
      if (has_before && IsVirama(cps[i - 1])) return true;
      // (L|D) T* ZWNJ T* (R|D).
      size_t b = i;
      while (b > 0 && JoiningType(cps[b - 1]) == U_JT_TRANSPARENT) --b;
      if (b == 0) return false;
      const int before = JoiningType(cps[b - 1]);
      if (before != U_JT_LEFT_JOINING && before != U_JT_DUAL_JOINING) {
        return false;
      }
      size_t a = i + 1;
      while (a < cps.size() && JoiningType(cps[a]) == U_JT_TRANSPARENT) ++a;
      if (a == cps.size()) return false;
      const int after = JoiningType(cps[a]);
      return after == U_JT_RIGHT_JOINING || after == U_JT_DUAL_JOINING;
    }
    case 0x00B7:  // A.3 MIDDLE DOT: between two 'l'.
      return has_before && has_after && cps[i - 1] == 0x006C &&
             cps[i + 1] == 0x006C;
    case 0x0375:  // A.4 GREEK KERAIA: before Greek.
      return has_after && ScriptOf(cps[i + 1]) == USCRIPT_GREEK;
    case 0x05F3:  // A.5, A.6 HEBREW GERESH and GERSHAYIM: after Hebrew.
    case 0x05F4:
      return has_before && ScriptOf(cps[i - 1]) == USCRIPT_HEBREW;
    case 0x30FB:  // A.7 KATAKANA MIDDLE DOT: with Hiragana, Katakana or Han.
      for (int32_t other : cps) {
        const UScriptCode script = ScriptOf(other);
        if (other != 0x30FB &&
            (script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA ||
             script == USCRIPT_HAN)) {
          return true;
        }
      }
      return false;
    default:
      break;
  }
  if (cp >= 0x0660 && cp <= 0x0669) {  // A.8: not mixed with A.9's digits.
    for (int32_t other : cps) {
      if (other >= 0x06F0 && other <= 0x06F9) return false;
    }
    return true;
  }
  if (cp >= 0x06F0 && cp <= 0x06F9) {  // A.9.
    for (int32_t other : cps) {
      if (other >= 0x0660 && other <= 0x0669) return false;
    }
    return true;
  }
  return false;
}

template <typename... Args>
absl::Status Refused(const absl::FormatSpec<Args...>& format,
                     const Args&... args) {
  return absl::InvalidArgumentError(
      absl::StrCat("OpaqueString: ", absl::StrFormat(format, args...)));
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (DecodeOne(text, &i) < 0) return false;
  }
  return true;
}

size_t Utf8Length(absl::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

absl::StatusOr<std::string> PrepareOpaqueString(absl::string_view input) {
  if (input.empty()) {
    return Refused("the empty string is not allowed (RFC 8265 §4.2.3)");
  }
  // Decode, mapping non-ASCII spaces to U+0020 (RFC 8265 §4.2.1 step 2). An
  // all-ASCII string needs nothing else: it is already in NFC.
  std::vector<UChar> utf16;
  utf16.reserve(input.size());
  bool ascii = true;
  size_t i = 0;
  while (i < input.size()) {
    const size_t start = i;
    int32_t cp = DecodeOne(input, &i);
    if (cp < 0) return Refused("malformed UTF-8 at byte %d", start);
    if (cp >= 0x80) ascii = false;
    if (cp >= 0x80 && u_charType(cp) == U_SPACE_SEPARATOR) cp = 0x20;
    UChar units[2];
    int32_t length = 0;
    U16_APPEND_UNSAFE(units, length, cp);
    utf16.insert(utf16.end(), units, units + length);
  }

  std::vector<int32_t> cps;
  if (ascii) {
    cps.assign(input.begin(), input.end());
  } else {
    // Step 4: normalisation form C.
    UErrorCode error = U_ZERO_ERROR;
    const UNormalizer2* nfc = unorm2_getNFCInstance(&error);
    std::vector<UChar> normalized(utf16.size() * 3 + 8);
    const int32_t length =
        U_SUCCESS(error)
            ? unorm2_normalize(nfc, utf16.data(),
                               static_cast<int32_t>(utf16.size()),
                               normalized.data(),
                               static_cast<int32_t>(normalized.size()), &error)
            : 0;
    if (U_FAILURE(error)) {
      return absl::InternalError(absl::StrCat(
          "OpaqueString: ICU could not normalise: ", u_errorName(error)));
    }
    for (int32_t k = 0; k < length;) {
      UChar32 cp;
      U16_NEXT(normalized.data(), k, length, cp);
      cps.push_back(cp);
    }
  }

  // The result must belong to the FreeformClass (RFC 8264 §4.3).
  std::string out;
  out.reserve(input.size());
  for (size_t k = 0; k < cps.size(); ++k) {
    const int32_t cp = cps[k];
    if (cp == 0x20) {  // Step 2's output, and ASCII space itself.
      out.push_back(' ');
      continue;
    }
    const Verdict verdict = Classify(cp);
    switch (verdict.property) {
      case Property::kValid:
        break;
      case Property::kContextJ:
      case Property::kContextO:
        if (!ContextAllows(cps, k)) {
          return Refused(
              "U+%04X at character %d is not allowed in this context "
              "(RFC 5892 Appendix A)",
              cp, k);
        }
        break;
      case Property::kDisallowed:
        return Refused("U+%04X at character %d is %s", cp, k, verdict.reason);
    }
    AppendUtf8(cp, &out);
  }
  return out;
}

}  // namespace pinhole::stun
