// Package frontend holds the browser UI: plain HTML pages and ES modules
// (Preact with htm, no build step), embedded in the binary so that the
// server needs no build and no network. The pages load their styles and
// the pinned libraries from the assets package (/assets/css, /assets/vendor).
package frontend

import "embed"

// FS holds the UI files: the pages at the root and the modules in js/.
//
//go:embed *.html js/*.js
var FS embed.FS
