package emu

// Stats are a machine's execution counters, for gemu -stats.
type Stats struct {
	// Instructions is the number of guest instructions retired by all the
	// machine's threads.
	Instructions uint64
	// BlocksTranslated counts basic blocks decoded and translated
	// (retranslations after self-modifying code included).
	BlocksTranslated uint64
	// CacheHits counts block look-ups answered by an existing translation
	// (the per-CPU jump cache or the code cache), and Chained the block
	// transitions that needed no look-up at all because the previous
	// block was linked to its successor.
	CacheHits uint64
	Chained   uint64
}

// Stats returns the machine's counters. Preconditions: no thread of the
// machine is running (call it after Run returned).
func (m *Machine) Stats() Stats {
	cc := m.cache
	return Stats{
		Instructions:     m.clock.insns(),
		BlocksTranslated: cc.translated,
		CacheHits:        cc.hits,
		Chained:          cc.chained,
	}
}
