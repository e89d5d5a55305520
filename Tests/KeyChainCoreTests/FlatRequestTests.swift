import KeyChainAPI
import Testing

/// The flat request scanner reads the plain forms and declines everything else.
@Suite struct FlatRequestTests {
    func parse(_ text: String) -> FlatRequest? {
        Array(text.utf8).withUnsafeBytes { FlatRequest.parse($0) }
    }

    @Test func readsPlainRequests() {
        #expect(parse(#"{"jsonrpc":"2.0","id":7,"method":"get","params":{"key":"a/b"}}"#)
            == FlatRequest(jsonrpc: "2.0", id: .number(7), method: "get", params: ["key": .string("a/b")]))
        #expect(parse(#" { "method" : "status" , "id" : "x", "jsonrpc":"2.0" } "#)
            == FlatRequest(jsonrpc: "2.0", id: .string("x"), method: "status", params: [:]))
        #expect(parse(#"{"jsonrpc":"2.0","id":null,"method":"keys","params":{"limit":-3,"after":null,"x":true}}"#)?.params
            == ["limit": .integer(-3), "after": .null, "x": .bool(true)])
        #expect(parse(#"{"jsonrpc":"2.0","id":1,"method":"get","params":{"key":"é🔑"}}"#)?.params["key"] == .string("é🔑"))
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":1,"method":"get","params":{"key":"a\"b"}}"#,    // escape
        #"{"jsonrpc":"2.0","id":1,"method":"get","params":{"key":["a"]}}"#,     // nesting
        #"{"jsonrpc":"2.0","id":1.5,"method":"get"}"#,                           // float id
        #"{"jsonrpc":"2.0","id":1,"id":2,"method":"get"}"#,                      // duplicate key
        #"{"jsonrpc":"2.0","id":1,"method":"get"} x"#,                           // trailing bytes
        #"{"jsonrpc":"2.0","id":1,"method":"get""#,                              // truncated
        #"{"jsonrpc":"2.0","id":1,"other":1,"method":"get"}"#,                   // unknown member
        #"{"jsonrpc":"2.0","id":99999999999999999999,"method":"get"}"#,          // overflow
        "[1,2]", "", "{",
    ])
    func declinesEverythingElse(_ text: String) {
        #expect(parse(text) == nil)
    }
}
