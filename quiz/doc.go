// Package quiz reads, writes, presents and grades quiz questions the way
// Moodle does, so that authors can move question banks between Moodle and
// Aftercare Academy without surprises.
//
// Reading and writing:
//
//   - ParseGIFT reads Moodle's GIFT format with the semantics of Moodle 4.5's
//     qformat_gift (multiple choice, multiple answers, true/false, short
//     answer, matching, numerical, essay, description, missing word,
//     $CATEGORY lines, [id:…] and [tag:…] comments), and also refuses what
//     Moodle's import step would refuse (answer weights that are not one of
//     Moodle's grade fractions, questions that can never score 100%).
//   - ParseAiken reads Moodle's Aiken format.
//   - WriteGIFT writes questions back as GIFT; parse → write → parse gives
//     the same questions.
//
// Every parser returns all the questions it could read and an Error (with a
// 1-based line number) for each one it could not, so one bad question never
// hides the rest of a file.
//
// Taking a quiz is split into pure functions so that the server only has to
// store data: NewLayout shuffles a question once per attempt, Present turns a
// question and its layout into what a page may show (never fractions,
// feedback or anything else that gives the answer away), Grade marks a
// Response the way Moodle's question types do, and Score adds marks up.
// Draw picks random questions by tag and module, and Analyse computes
// Moodle's item statistics (facility and discrimination index) over finished
// attempts.
//
// The package uses the Go standard library only.
package quiz
