import Testing

/// A payload its command's decoder must refuse, named by why: a row of a refusal table.
struct BadPayload: Sendable, CustomTestStringConvertible {
    let command: String
    let payload: String
    let why: String
    var testDescription: String { why }
}
