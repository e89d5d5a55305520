// KeyChainAPI: the client API's wire types, shared by the node and KeyChainClient.
//
// JSON-RPC 2.0 over a Unix socket, one JSON object per line (docs/PROTOCOL.md §8).
// - `RPCRequest`, `RPCResponse`, `RPCID`: the envelope; `RPCErrorCode`: stable error codes.
// - `APIMethod`: the method names; one params/result type per method (`PutParams`, ...).
// - `ValueEncoding`: values travel as UTF-8 text or as base64 with an explicit encoding field.
// - `LineFrameDecoder`: splits a byte stream into lines with a length limit (a NIO decoder).
// - `FlatRequest` and `JSONText`: the hot read path's request parsing and replies without
//   Foundation's JSON coders; `IdentityFile`: an identity key in a file of mode 0600.
// Depends on KeyChainCore, Foundation and NIOCore.
