package xapi

import (
	"crypto/sha1" // #nosec G505 -- RFC 4122 version-5 UUIDs are defined with SHA-1; they name statements, they protect nothing
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
)

// PlatformName is written as every statement's context platform.
const PlatformName = "售后学院 Aftercare Academy"

// Language is the language of the course content, written as every statement's context
// language.
const Language = "zh-CN"

// Platform names the activities and people of one installation: every activity ID and account
// lies under its base URL, and its statement IDs are derived from it, so two installations
// never produce the same ID and one installation always produces the same ID for a record.
type Platform struct {
	base string
	ns   [16]byte
}

// namespaceURL is RFC 4122's namespace for names that are URLs.
var namespaceURL = [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// NewPlatform checks the base URL (an absolute http or https URL, as learners reach the
// platform) and returns the platform it names. A trailing slash is dropped.
func NewPlatform(baseURL string) (*Platform, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("base URL: want an absolute http(s) address such as https://academy.example.com, got %q", baseURL)
	}
	base := strings.TrimRight(u.String(), "/")
	return &Platform{base: base, ns: nameUUID(namespaceURL, base)}, nil
}

// BaseURL is the platform's address, without a trailing slash: the accounts' home page and
// the root of every activity ID.
func (p *Platform) BaseURL() string { return p.base }

// UUID is the name-based UUID (version 5, SHA-1) of key within the platform's namespace,
// formatted 8-4-4-4-12. The same key always gives the same UUID.
func (p *Platform) UUID(key string) string {
	u := nameUUID(p.ns, key)
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// nameUUID is RFC 4122 §4.3 with SHA-1 (version 5).
func nameUUID(ns [16]byte, name string) [16]byte {
	h := sha1.New() // #nosec G401 -- see the import: a UUIDv5 name hash, not a security primitive
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

// Agent is the person with the given login and display name.
func (p *Platform) Agent(login, name string) Agent {
	return Agent{ObjectType: "Agent", Name: name, Account: Account{HomePage: p.base, Name: login}}
}

// activity builds an activity whose ID is the base URL followed by the path segments, each
// percent-encoded (a '/' inside a segment is kept as a separator, anything else that is not
// allowed in a path is escaped, Chinese included), so IDs are plain ASCII URIs.
func (p *Platform) activity(kind string, path string, name LanguageMap, typ string) Activity {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	a := Activity{ObjectType: "Activity", ID: p.base + "/" + kind + "/" + strings.Join(segs, "/")}
	if len(name) > 0 || typ != "" {
		a.Definition = &Definition{Name: name, Type: typ}
	}
	return a
}

// named is a Chinese name, or none when the title is unknown.
func named(title string) LanguageMap {
	if title == "" {
		return nil
	}
	return LanguageMap{Language: title}
}

// Course is a course: …/courses/<slug>.
func (p *Platform) Course(slug, title string) Activity {
	return p.activity("courses", slug, named(title), TypeCourse)
}

// Module is a module (lesson) of a course: …/courses/<course>/<module>, the module's page.
func (p *Platform) Module(course, module, title string) Activity {
	return p.activity("courses", course+"/"+module, named(title), TypeModule)
}

// Programme is a training programme (onboarding, a refresher): …/programmes/<slug>.
func (p *Platform) Programme(slug, title string) Activity {
	return p.activity("programmes", slug, named(title), "")
}

// Quiz is a quiz or assessment by its stored ID ("module:<course>/<module>",
// "programme:<slug>"): …/quizzes/module:<course>/<module>.
func (p *Platform) Quiz(id, title string) Activity {
	return p.activity("quizzes", id, named(title), TypeAssessment)
}

// Roleplay is a role-play scenario, the activity of a drill: …/roleplays/<slug>.
func (p *Platform) Roleplay(slug, title string) Activity {
	return p.activity("roleplays", slug, named(title), TypePerformance)
}

// Interaction is how a question is answered, in xAPI's terms: its interaction type (choice,
// true-false, fill-in, long-fill-in, numeric, matching, other), the responses that are
// correct, and the options a response refers to (Choices for choice questions, Source and
// Target for matching).
type Interaction struct {
	Type             string
	CorrectResponses []string
	Choices          []Component
	Source, Target   []Component
}

// Question is a bank question by its key ("<course>/<module>#<name>"): …/questions/<key>,
// an interaction activity named by the question's name and described by its text.
func (p *Platform) Question(key, name, text string, in Interaction) Activity {
	a := p.activity("questions", key, named(name), TypeInteraction)
	d := a.Definition
	if text != "" {
		d.Description = LanguageMap{Language: text}
	}
	d.InteractionType = in.Type
	if d.InteractionType == "" {
		d.InteractionType = "other"
	}
	d.CorrectResponsesPattern = in.CorrectResponses
	d.Choices, d.Source, d.Target = in.Choices, in.Source, in.Target
	return a
}

// Text is a language map holding one text in the content language, for option descriptions.
func Text(s string) LanguageMap { return named(s) }
