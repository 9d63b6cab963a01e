package emu

// ADCX and ADOX (the ADX extension): unsigned add with carry that use and
// set only CF (ADCX) or only OF as the carry (ADOX), so that two carry
// chains can be interleaved. x86asm does not know them; decodeADX gives
// them the synthetic ops opADCX and opADOX.
var adxOps = []opEntry{
	{opADCX, opInfo{fn: execAdx, need: featADX, sub: 0}},
	{opADOX, opInfo{fn: execAdx, need: featADX, sub: 1}},
}

// execAdx: dst = dst + src + carry, where carry is CF (ADCX, sub 0) or OF
// (ADOX); the carry out goes to the same flag and no other flag changes.
func execAdx(c *CPU, in *inst) bool {
	d, s := in.args[0], in.args[1]
	v, ok := c.readArg(in, s, c.memAddr(in, s))
	if !ok {
		return false
	}
	a := c.getReg(d)
	flag := uint64(flagCF)
	if in.sub == 1 {
		flag = flagOF
	}
	c.materialize()
	var cin uint64
	if c.rflags&flag != 0 {
		cin = 1
	}
	m := sizeMask[d.size]
	r := (a + v + cin) & m
	carry := r < a || (cin == 1 && r == a)
	c.setReg(d, r)
	c.rflags = c.rflags&^flag | flagIf(carry, flag)
	return true
}
