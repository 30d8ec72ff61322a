#include "face/landmark_model_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <vector>

namespace dh::face {
namespace {

constexpr char kMagic[8] = {'D', 'H', 'L', 'M', 'K', '6', '8', '1'};

using Forests = std::vector<std::vector<dlib::impl::regression_tree>>;
using PixelSets = std::vector<std::vector<dlib::vector<float, 2>>>;

class Writer {
 public:
  template <class T>
  void put(const T& value) {
    const char* p = reinterpret_cast<const char*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof value);
  }
  void putCount(size_t n) { put(static_cast<uint64_t>(n)); }
  void putFloats(const float* values, size_t n) {
    const char* p = reinterpret_cast<const char*>(values);
    bytes_.insert(bytes_.end(), p, p + n * sizeof(float));
  }
  const std::vector<char>& bytes() const { return bytes_; }

 private:
  std::vector<char> bytes_;
};

// Reads values from the cache's bytes; every read is bounds-checked, so a damaged file fails.
class Reader {
 public:
  explicit Reader(std::span<const char> bytes) : at_(bytes.data()), end_(at_ + bytes.size()) {}
  template <class T>
  bool get(T& value) {
    if (static_cast<size_t>(end_ - at_) < sizeof value) return false;
    std::memcpy(&value, at_, sizeof value);
    at_ += sizeof value;
    return true;
  }
  bool getCount(uint64_t& n, uint64_t limit) { return get(n) && n <= limit; }
  bool getFloats(float* values, size_t n) {
    if (static_cast<size_t>(end_ - at_) / sizeof(float) < n) return false;
    std::memcpy(values, at_, n * sizeof(float));
    at_ += n * sizeof(float);
    return true;
  }
  bool done() const { return at_ == end_; }

 private:
  const char* at_;
  const char* end_;
};

std::string serialised(const dlib::shape_predictor& predictor) {
  std::ostringstream out;
  dlib::serialize(predictor, out);
  return out.str();
}

bool readForests(Reader& in, Forests& forests) {
  constexpr uint64_t kLimit = 1u << 24;
  uint64_t cascades = 0;
  if (!in.getCount(cascades, 1024)) return false;
  forests.resize(cascades);
  for (auto& forest : forests) {
    uint64_t trees = 0;
    if (!in.getCount(trees, kLimit)) return false;
    forest.resize(trees);
    for (auto& tree : forest) {
      uint64_t splits = 0, leaves = 0, leafSize = 0;
      if (!in.getCount(splits, kLimit)) return false;
      tree.splits.resize(splits);
      for (auto& split : tree.splits) {
        uint64_t a = 0, b = 0;
        if (!in.get(a) || !in.get(b) || !in.get(split.thresh)) return false;
        split.idx1 = a;
        split.idx2 = b;
      }
      if (!in.getCount(leaves, kLimit) || !in.getCount(leafSize, kLimit)) return false;
      tree.leaf_values.resize(leaves);
      for (auto& leaf : tree.leaf_values) {
        leaf.set_size(static_cast<long>(leafSize));
        if (leafSize > 0 && !in.getFloats(&leaf(0), leafSize)) return false;
      }
    }
  }
  return true;
}

}  // namespace

bool writeLandmarkCache(const std::string& modelPath, const std::string& cachePath) {
  // The parts in the order dlib's shape_predictor serialises them.
  std::ifstream in(modelPath, std::ios::binary);
  int version = 0;
  dlib::matrix<float, 0, 1> initialShape;
  Forests forests;
  std::vector<std::vector<unsigned long>> anchors;
  PixelSets deltas;
  dlib::deserialize(version, in);
  dlib::deserialize(initialShape, in);
  dlib::deserialize(forests, in);
  dlib::deserialize(anchors, in);
  dlib::deserialize(deltas, in);
  if (version != 1 || anchors.size() != deltas.size()) return false;

  // dlib's public constructor takes each cascade's feature pixels and finds their anchors and
  // offsets itself: store the pixels, and check that this gives back exactly the same model.
  PixelSets pixels(anchors.size());
  for (size_t c = 0; c < anchors.size(); ++c) {
    if (anchors[c].size() != deltas[c].size()) return false;
    for (size_t i = 0; i < anchors[c].size(); ++i) {
      pixels[c].push_back(dlib::impl::location(initialShape, anchors[c][i]) + deltas[c][i]);
    }
  }
  dlib::shape_predictor original;
  {
    std::ifstream again(modelPath, std::ios::binary);
    dlib::deserialize(original, again);
  }
  if (serialised(dlib::shape_predictor(initialShape, forests, pixels)) != serialised(original)) {
    return false;
  }

  Writer out;
  for (char c : kMagic) out.put(c);
  out.put(static_cast<uint64_t>(std::filesystem::file_size(modelPath)));
  out.putCount(static_cast<size_t>(initialShape.size()));
  out.putFloats(&initialShape(0), static_cast<size_t>(initialShape.size()));
  out.putCount(forests.size());
  for (const auto& forest : forests) {
    out.putCount(forest.size());
    for (const auto& tree : forest) {
      out.putCount(tree.splits.size());
      for (const auto& split : tree.splits) {
        out.put(static_cast<uint64_t>(split.idx1));
        out.put(static_cast<uint64_t>(split.idx2));
        out.put(split.thresh);
      }
      const size_t leafSize = tree.leaf_values.empty() ? 0 : tree.leaf_values[0].size();
      out.putCount(tree.leaf_values.size());
      out.putCount(leafSize);
      for (const auto& leaf : tree.leaf_values) {
        if (static_cast<size_t>(leaf.size()) != leafSize) return false;
        if (leafSize > 0) out.putFloats(&leaf(0), leafSize);
      }
    }
  }
  out.putCount(pixels.size());
  for (const auto& set : pixels) {
    out.putCount(set.size());
    for (const auto& p : set) {
      out.put(p.x());
      out.put(p.y());
    }
  }
  const std::string temporary = cachePath + ".part";
  std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
  file.write(out.bytes().data(), static_cast<std::streamsize>(out.bytes().size()));
  file.close();
  if (!file) return false;
  std::filesystem::rename(temporary, cachePath);
  return true;
}

namespace {

struct CachedModel {
  dlib::matrix<float, 0, 1> initialShape;
  Forests forests;
  PixelSets pixels;
};

bool parseCache(std::span<const char> bytes, uint64_t modelBytes, CachedModel& model) {
  Reader in(bytes);
  char magic[sizeof kMagic];
  for (char& c : magic) {
    if (!in.get(c)) return false;
  }
  uint64_t madeFrom = 0;
  if (std::memcmp(magic, kMagic, sizeof kMagic) != 0 || !in.get(madeFrom) ||
      madeFrom != modelBytes) {
    return false;
  }
  uint64_t parts = 0;
  if (!in.getCount(parts, 1u << 16) || parts == 0 || parts % 2 != 0) return false;
  model.initialShape.set_size(static_cast<long>(parts));
  if (!in.getFloats(&model.initialShape(0), parts)) return false;
  if (!readForests(in, model.forests)) return false;
  uint64_t sets = 0;
  if (!in.getCount(sets, 1024) || sets != model.forests.size()) return false;
  model.pixels.resize(sets);
  for (auto& set : model.pixels) {
    uint64_t n = 0;
    if (!in.getCount(n, 1u << 20)) return false;
    set.resize(n);
    for (auto& p : set) {
      float x = 0, y = 0;
      if (!in.get(x) || !in.get(y)) return false;
      p = dlib::vector<float, 2>(x, y);
    }
  }
  if (!in.done()) return false;
  // Every split must name a feature pixel of its cascade (dlib would read out of bounds).
  for (size_t c = 0; c < model.forests.size(); ++c) {
    for (const auto& tree : model.forests[c]) {
      if (tree.leaf_values.size() != tree.splits.size() + 1) return false;
      for (const auto& split : tree.splits) {
        if (split.idx1 >= model.pixels[c].size() || split.idx2 >= model.pixels[c].size()) {
          return false;
        }
      }
      for (const auto& leaf : tree.leaf_values) {
        if (static_cast<uint64_t>(leaf.size()) != parts) return false;
      }
    }
  }
  return true;
}

// A whole file mapped read-only. Its pages come straight from the page cache: no 68 MB buffer to
// allocate, zero and copy into, which took most of the load's kernel time.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat info {};
    if (::fstat(fd, &info) == 0 && info.st_size > 0) {
      void* data = ::mmap(nullptr, static_cast<size_t>(info.st_size), PROT_READ,
                          MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (data != MAP_FAILED) {
        data_ = static_cast<const char*>(data);
        size_ = static_cast<size_t>(info.st_size);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::span<const char> bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

std::unique_ptr<dlib::shape_predictor> readLandmarkCache(const std::string& cachePath,
                                                         uint64_t modelBytes) {
  CachedModel model;
  {
    // The file is unmapped before the predictor copies the forests, to keep the peak low.
    const MappedFile file(cachePath);
    if (file.bytes().empty() || !parseCache(file.bytes(), modelBytes, model)) return nullptr;
  }
  return std::make_unique<dlib::shape_predictor>(model.initialShape, model.forests, model.pixels);
}

}  // namespace dh::face
