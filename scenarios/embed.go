// Package scenarios holds the scenario files of DevOps Challenge. They are
// data: the rules engine reads them through the FS passed down to it.
package scenarios

import "embed"

// FS holds every scenario file (*.yaml) of this directory.
//
//go:embed *.yaml
var FS embed.FS

// Strategies holds the built-in headless strategies written as data
// (strategies/*.yaml); scenarios/README.md documents their format.
//
//go:embed strategies/*.yaml
var Strategies embed.FS
