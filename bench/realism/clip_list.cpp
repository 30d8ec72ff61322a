#include "clip_list.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dh::bench {

std::vector<Clip> readClipList(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Clip> clips;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    std::stringstream fields(line);
    Clip c;
    std::getline(fields, c.name, '\t');
    std::getline(fields, c.real, '\t');
    std::getline(fields, c.ours, '\t');
    std::getline(fields, c.voice, '\t');
    std::getline(fields, c.note);
    clips.push_back(c);
  }
  return clips;
}

}  // namespace dh::bench
