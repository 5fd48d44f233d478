// Package static holds the stylesheet and other assets, embedded in the binary and served
// with a content hash in the URL so browsers may cache them for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed *.css *.svg *.js
var files embed.FS

// FS is the embedded assets.
var FS fs.FS = files

var versions = func() map[string]string {
	v := map[string]string{}
	entries, _ := fs.ReadDir(files, ".")
	for _, e := range entries {
		b, err := fs.ReadFile(files, e.Name())
		if err != nil {
			continue
		}
		sum := sha256.Sum256(b)
		v[e.Name()] = hex.EncodeToString(sum[:6])
	}
	return v
}()

// URL returns the asset's path with its content hash, so a changed file gets a new URL.
func URL(name string) string {
	return "/static/" + name + "?v=" + versions[name]
}
