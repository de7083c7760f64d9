// Package assets holds the static files served under /assets/: styles
// (static/css), images (static/img) and the pinned third-party ES modules
// (static/vendor, see static/vendor/README.md and scripts/fetch-vendor.sh).
// The served root is the static folder: /assets/css/app.css is
// static/css/app.css.
package assets

import "embed"

// FS holds the asset files under static/.
//
//go:embed all:static
var FS embed.FS
