package web

import (
	cryptorand "crypto/rand"
	"math/rand/v2"
)

// shuffler is the random source for question order, option order and draws. Which option is
// right must not be predictable from what a trainee has seen (Moodle files often list the
// right answer first), so it is ChaCha8, a cryptographically secure generator, seeded from
// crypto/rand; math/rand/v2 only lends it the Shuffle and IntN helpers.
func shuffler() *rand.Rand {
	var seed [32]byte
	if _, err := cryptorand.Read(seed[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return rand.New(rand.NewChaCha8(seed)) // #nosec G404 -- ChaCha8 seeded from crypto/rand is a CSPRNG
}
