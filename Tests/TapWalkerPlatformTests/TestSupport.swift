// Every file of this test target sees the shared fixtures (Examples, ScriptedConnection, clocks, NoMutex).
@_exported import TapWalkerTestSupport
