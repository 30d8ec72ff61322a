// LocalDirMediaStore: atomic writes (a reader never sees part of a file), staged files that
// appear only on commit, names that would leave the directory refused with the rule they break,
// removal, missing files and the free space behind the disk floor.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/error.h"
#include "store/local_dir_media_store.h"
#include "support/test_paths.h"

namespace dh::store {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> filled(size_t size, uint8_t value) {
  return std::vector<uint8_t>(size, value);
}

// Every entry under `dir`, recursively, as paths relative to it.
std::vector<std::string> listing(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

core::Error errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const core::Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error thrown";
  return core::Error(core::ErrorKind::Internal, "");
}

TEST(LocalDirMediaStore, PutWritesTheBytesUnderTheNameAndLeavesNoTemporaryFile) {
  const std::string root = test::scratchDir() + "/media";
  LocalDirMediaStore media(root);  // creates the directory
  ASSERT_TRUE(fs::is_directory(root));
  const auto bytes = filled(70000, 7);
  media.put("videos/1234.mp4", bytes);
  EXPECT_EQ(media.read("videos/1234.mp4"), bytes);
  EXPECT_TRUE(media.exists("videos/1234.mp4"));
  EXPECT_EQ(media.size("videos/1234.mp4"), 70000u);
  EXPECT_EQ(listing(root), std::vector<std::string>{"videos/1234.mp4"});
  // Readable like any file the service writes (not a private 0600 temporary file).
  struct stat st {};
  ASSERT_EQ(::stat((root + "/videos/1234.mp4").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0004, 0004) << std::oct << st.st_mode;
  // Replacing keeps one file with the new content.
  media.put("videos/1234.mp4", filled(10, 9));
  EXPECT_EQ(media.read("videos/1234.mp4"), filled(10, 9));
  EXPECT_EQ(listing(root), std::vector<std::string>{"videos/1234.mp4"});
}

TEST(LocalDirMediaStore, ReadersSeeTheOldOrTheNewFileNeverAPart) {
  LocalDirMediaStore media(test::scratchDir() + "/media");
  const auto a = filled(4 * 1024 * 1024, 'a');
  const auto b = filled(3 * 1024 * 1024, 'b');
  media.put("uploads/x.png", a);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, torn{0};
  std::thread reader([&] {
    while (!done.load()) {
      const auto got = media.read("uploads/x.png");
      if (got != a && got != b) ++torn;
      ++reads;
    }
  });
  for (int i = 0; i < 40; ++i) media.put("uploads/x.png", i % 2 ? a : b);
  done = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
}

TEST(LocalDirMediaStore, StagedFileAppearsOnlyOnCommit) {
  const std::string root = test::scratchDir() + "/media";
  LocalDirMediaStore media(root);
  {
    StagedMedia staged = media.stage("videos/77.mp4");
    std::ofstream(staged.path(), std::ios::binary) << "rendered";
    EXPECT_FALSE(media.exists("videos/77.mp4"));
    EXPECT_EQ(fs::path(staged.path()).parent_path(), fs::path(root) / "videos")
        << "staged beside the target, so the commit is a rename on one file system";
    staged.commit();
    EXPECT_FALSE(fs::exists(staged.path()));
  }
  const auto bytes = media.read("videos/77.mp4");
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "rendered");
  {
    StagedMedia abandoned = media.stage("videos/78.mp4");
    std::ofstream(abandoned.path(), std::ios::binary) << "half";
  }
  EXPECT_FALSE(media.exists("videos/78.mp4"));
  EXPECT_EQ(listing(root), std::vector<std::string>{"videos/77.mp4"}) << "abandoned file removed";
}

// A process killed while rendering leaves its staged file behind; the retention sweep removes
// such files once idle, and leaves live ones and published media alone.
TEST(LocalDirMediaStore, AbandonedPartialFilesAreSweptWhenIdle) {
  const std::string root = test::scratchDir() + "/media";
  LocalDirMediaStore media(root);
  media.put("videos/1.mp4", filled(10, 1));
  const std::string old = root + "/videos/.2.mp4.dead";
  const std::string live = root + "/videos/.3.mp4.live";
  std::ofstream(old) << "half";
  std::ofstream(live) << "half";
  fs::last_write_time(old, fs::file_time_type::clock::now() - std::chrono::hours(2));
  fs::last_write_time(root + "/videos/1.mp4",
                      fs::file_time_type::clock::now() - std::chrono::hours(2));
  EXPECT_EQ(media.removeAbandoned(3600), 1u);
  EXPECT_EQ(listing(root), (std::vector<std::string>{"videos/.3.mp4.live", "videos/1.mp4"}));
  EXPECT_EQ(media.removeAbandoned(3600), 0u);
}

TEST(LocalDirMediaStore, PutFileMovesAFinishedFileIn) {
  const std::string scratch = test::scratchDir();
  LocalDirMediaStore media(scratch + "/media");
  const std::string finished = scratch + "/finished.wav";
  std::ofstream(finished, std::ios::binary) << "RIFF....";
  media.putFile("audio/5.wav", finished);
  EXPECT_FALSE(fs::exists(finished));
  EXPECT_EQ(media.size("audio/5.wav"), 8u);
}

TEST(LocalDirMediaStore, NamesThatWouldLeaveTheDirectoryAreRefusedWithTheRule) {
  const std::string scratch = test::scratchDir();
  LocalDirMediaStore media(scratch + "/media");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/etc/passwd", "absolute paths are not allowed"},
      {"../outside.mp4", "\"..\" segments are not allowed"},
      {"videos/../../outside.mp4", "\"..\" segments are not allowed"},
      {"./videos/a.mp4", "\".\" and \"..\" segments are not allowed"},
      {"videos//a.mp4", "empty segments"},
      {"videos/", "empty segments"},
      {".hidden", "segments starting with '.' are not allowed"},
      {"videos/a\\..\\b.mp4", "only letters, digits, '.', '_' and '-' are allowed"},
      {"videos/a b.mp4", "only letters, digits, '.', '_' and '-' are allowed"},
      {"", "must not be empty"},
  };
  for (const auto& [name, rule] : cases) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(isValidMediaName(name));
    const core::Error put = errorOf([&] { media.put(name, filled(3, 1)); });
    EXPECT_EQ(put.kind(), core::ErrorKind::InvalidInput);
    EXPECT_NE(std::string(put.what()).find(rule), std::string::npos) << put.what();
    EXPECT_NE(std::string(put.what()).find("media name \"" + name + "\""), std::string::npos)
        << put.what();
    EXPECT_EQ(errorOf([&] { media.read(name); }).kind(), core::ErrorKind::InvalidInput);
    EXPECT_EQ(errorOf([&] { media.remove(name); }).kind(), core::ErrorKind::InvalidInput);
    EXPECT_EQ(errorOf([&] { media.stage(name); }).kind(), core::ErrorKind::InvalidInput);
  }
  EXPECT_FALSE(fs::exists(scratch + "/outside.mp4"));
  EXPECT_TRUE(listing(scratch + "/media").empty());
  EXPECT_TRUE(isValidMediaName("inputs/123-sound_file"));
  EXPECT_TRUE(isValidMediaName("audio/42.phones.json"));
}

TEST(LocalDirMediaStore, RemoveDeletesOnceThenReportsNothingToRemove) {
  LocalDirMediaStore media(test::scratchDir() + "/media");
  media.put("inputs/1-image", filled(5, 1));
  EXPECT_TRUE(media.remove("inputs/1-image"));
  EXPECT_FALSE(media.exists("inputs/1-image"));
  EXPECT_FALSE(media.remove("inputs/1-image"));
}

TEST(LocalDirMediaStore, MissingFileIsNotFoundNamingIt) {
  LocalDirMediaStore media(test::scratchDir() + "/media");
  EXPECT_FALSE(media.info("videos/none.mp4"));
  EXPECT_FALSE(media.exists("videos/none.mp4"));
  for (const auto& action : std::vector<std::function<void()>>{
           [&] { media.read("videos/none.mp4"); }, [&] { media.open("videos/none.mp4"); },
           [&] { media.size("videos/none.mp4"); }}) {
    const core::Error e = errorOf(action);
    EXPECT_EQ(e.kind(), core::ErrorKind::NotFound);
    EXPECT_NE(std::string(e.what()).find("videos/none.mp4"), std::string::npos) << e.what();
  }
  // A directory is not a media file.
  media.put("videos/some.mp4", filled(1, 1));
  EXPECT_FALSE(media.exists("videos"));
}

TEST(LocalDirMediaStore, OpenStreamsTheFileForServing) {
  LocalDirMediaStore media(test::scratchDir() + "/media");
  const std::string text = "0123456789";
  media.put("uploads/t.png", std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  auto in = media.open("uploads/t.png");
  in->seekg(4);
  char part[3] = {};
  in->read(part, 3);
  EXPECT_EQ(std::string(part, 3), "456");
  const auto info = media.info("uploads/t.png");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->bytes, 10u);
  EXPECT_GT(info->modifiedNs, 0);
}

TEST(LocalDirMediaStore, FreeBytesOfTheDirectorysFileSystem) {
  LocalDirMediaStore media(test::scratchDir() + "/media");
  const auto free = media.freeBytes();
  ASSERT_TRUE(free);
  EXPECT_GT(*free, 0u);
}

TEST(LocalDirMediaStore, UnusableDirectoryIsRefusedAtConstruction) {
  const std::string scratch = test::scratchDir();
  std::ofstream(scratch + "/plain-file") << "x";
  const core::Error e = errorOf([&] { LocalDirMediaStore media(scratch + "/plain-file"); });
  EXPECT_EQ(e.kind(), core::ErrorKind::InvalidInput);
  EXPECT_NE(std::string(e.what()).find("--media-dir"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace dh::store
