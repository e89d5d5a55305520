import Testing

/// Every simulator suite, run one test at a time. A scenario is seconds of synchronous work on
/// a Swift-concurrency pool thread; on 2 cores, two at once leave no thread for the node tests'
/// async waits, which then time out.
@Suite(.serialized) enum SimulatorSuites {}
