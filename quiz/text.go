package quiz

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// phpSpace is the set PHP's trim() removes. Moodle trims with it, so we do
// too: strings.TrimSpace would also eat Unicode spaces such as the
// ideographic space U+3000 that Chinese authors type on purpose.
const phpSpace = " \t\n\r\x00\x0b"

// phpTrim trims s the way PHP's trim() does.
func phpTrim(s string) string {
	return strings.Trim(s, phpSpace)
}

// utf8BOM is removed from the start of a file, as Moodle does.
var utf8BOM = []byte("\xef\xbb\xbf")

// checkUTF8 refuses a file that is not UTF-8, reporting the line of the first
// invalid byte. Moodle refuses such files too; guessing an encoding would
// silently corrupt Chinese text.
func checkUTF8(src []byte) *Error {
	if utf8.Valid(src) {
		return nil
	}
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return &Error{
				Line: 1 + bytes.Count(src[:i], []byte("\n")),
				Message: fmt.Sprintf("the file is not UTF-8 (byte 0x%02X is not valid UTF-8); "+
					"save it as UTF-8 and import it again", src[i]),
			}
		}
		i += size
	}
	return nil
}

// sourceLines splits a file into lines the way Moodle's importer does: on
// "\n", or on "\r" for an old Mac file that has no "\n" at all. The trailing
// "\r" of a Windows line is removed later by trimming.
func sourceLines(src []byte) []string {
	src = bytes.TrimPrefix(src, utf8BOM)
	s := string(src)
	if !strings.Contains(s, "\n") && strings.Contains(s, "\r") {
		return strings.Split(s, "\r")
	}
	return strings.Split(s, "\n")
}

// stripTags removes HTML tags the way PHP's strip_tags() does for ordinary
// text: a "<" followed by a space is kept as text, any other "<" starts a tag
// that runs to the next ">". Moodle strips tags from question names.
func stripTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '<' && i+1 < len(s) && !strings.ContainsRune(phpSpace, rune(s[i+1])) {
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				break
			}
			i += end
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// shorten cuts s to at most ideal characters, ending in "...", the way
// Moodle's shorten_text() does for plain text: it breaks after the last space
// or full stop that fits, or after any CJK character (Chinese has no spaces).
func shorten(s string, ideal int) string {
	runes := []rune(s)
	if len(runes) <= ideal {
		return s
	}
	const ending = "..."
	left := ideal - len(ending)
	brk := left
	for ; brk > 0; brk-- {
		c := runes[brk]
		if c == '.' || c == ' ' || utf8.RuneLen(c) > 2 {
			brk++
			break
		}
	}
	if brk == 0 || brk > left {
		brk = left
	}
	return string(runes[:brk]) + ending
}

// cleanName tidies a question name as Moodle's clean_question_name() does:
// no HTML, no surrounding space, at most 255 characters.
func cleanName(name string) string {
	name = phpTrim(stripTags(name))
	for limit := 251; utf8.RuneCountInString(name) > 255 && limit > 0; limit -= 10 {
		name = shorten(name, limit)
	}
	return name
}

// defaultName is the name Moodle gives a question that has none: its text,
// without HTML, cut to 80 characters.
func defaultName(text string) string {
	if name := cleanName(shorten(stripTags(text), 80)); name != "" {
		return name
	}
	return "Question name"
}

// escapeHTML escapes &, < and > as PHP's htmlspecialchars(…, ENT_NOQUOTES)
// does; Moodle applies it to Aiken text, which is stored as HTML.
func escapeHTML(s string) string {
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// isFormat reports whether name is one of the text formats GIFT can declare.
func isFormat(name string) bool {
	switch name {
	case FormatMoodle, FormatHTML, FormatPlain, FormatMarkdown:
		return true
	}
	return false
}

// splitFormat removes a leading "[format]" from s, returning the rest and the
// declared format, or s and def when s declares no known format.
func splitFormat(s, def string) (string, string) {
	if strings.HasPrefix(s, "[") {
		if end := strings.IndexByte(s, ']'); end > 0 && isFormat(s[1:end]) {
			return s[end+1:], s[1:end]
		}
	}
	return s, def
}
