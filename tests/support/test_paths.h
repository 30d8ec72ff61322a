#pragma once
// Where the tests find their media, the dh binary and a scratch directory.
#include <cstdint>
#include <string>
#include <vector>

namespace dh::test {

// A file under tests/data ("faces/02_grace_hopper.jpg").
std::string dataPath(const std::string& relative);
std::vector<uint8_t> readData(const std::string& relative);

// An input of a fuzz target's corpus (fuzz/corpus/TARGET/NAME), such as one a fuzzer found.
std::vector<uint8_t> readFuzzInput(const std::string& target, const std::string& name);

// The built `dh` executable.
std::string dhBinary();

// A fresh directory for this test, removed at exit of the process.
std::string scratchDir();

// The shared faces and the voices that meet the 2-300 s rule.
const std::vector<std::string>& sharedFaces();
const std::vector<std::string>& validVoices();

}  // namespace dh::test
