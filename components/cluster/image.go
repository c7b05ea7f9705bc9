package cluster

import "github.com/marketbus/market-bus/imageref"

// ImageRef is a parsed image reference; see package imageref.
type ImageRef = imageref.Ref

// ParseImageRef splits ref into repository, tag and digest.
func ParseImageRef(ref string) ImageRef { return imageref.Parse(ref) }
