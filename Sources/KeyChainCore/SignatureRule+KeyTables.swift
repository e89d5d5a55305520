extension SignatureRule {
    /// The narrow and wide tables of each distinct key of some vectors (none for a key the rule
    /// refuses, or when memory is short).
    struct KeyTables {
        var narrow: [Bytes32: PrecomputedKeys.Table] = [:]
        var wide: [Bytes32: PrecomputedKeys.Table] = [:]

        init(_ cases: [Vector]) {
            for key in Set(cases.map(\.key)) {
                narrow[key] = PrecomputedKeys.build(key, wide: false)
                wide[key] = PrecomputedKeys.build(key, wide: true)
            }
        }
    }
}
