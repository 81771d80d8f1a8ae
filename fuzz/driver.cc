// A small mutation fuzzer for builds without libFuzzer (gcc, the sanitizer build in CI): it runs
// a target's LLVMFuzzerTestOneInput on mutations of seed files for a fixed time. The inputs come
// in the same order for a given --seed and seed files; the count it prints, given as --runs,
// makes a failure found within that many inputs come back on any machine.
//
//   fuzz_X --seconds 30 [--runs N] --seed 1 SEED_DIR_OR_FILE ...   (files ending in --ext)
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

struct Options {
  double seconds = 10;
  unsigned long runs = 0;  ///< Stop after this many mutated inputs; 0: only the time counts.
  unsigned seed = 1;
  std::string extension;
  std::vector<fs::path> seeds;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      options.seconds = std::atof(argv[++i]);
    } else if (arg == "--runs" && i + 1 < argc) {
      options.runs = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--seed" && i + 1 < argc) {
      options.seed = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (arg == "--ext" && i + 1 < argc) {
      options.extension = argv[++i];
    } else {
      options.seeds.emplace_back(arg);
    }
  }
  return options;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// The seed files: each file given, and the files under each folder, with the extension.
std::vector<std::string> load(const Options& options) {
  std::vector<std::string> corpus;
  auto take = [&](const fs::path& path) {
    if (options.extension.empty() || path.extension() == options.extension)
      corpus.push_back(read(path));
  };
  for (const fs::path& seed : options.seeds) {
    if (!fs::is_directory(seed)) {
      take(seed);
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(seed)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // the same order on every machine
    for (const fs::path& file : files) take(file);
  }
  if (corpus.empty()) corpus.emplace_back();
  return corpus;
}

/// Bytes that matter to Python and ini readers: quotes, brackets, escapes, line ends, UTF-8.
constexpr std::string_view kInteresting[] = {"\"",
                                             "'",
                                             "\"\"\"",
                                             "'''",
                                             "\\",
                                             "\n",
                                             "\r",
                                             "\t",
                                             "(",
                                             ")",
                                             "[",
                                             "]",
                                             "{",
                                             "}",
                                             "#",
                                             ":",
                                             "=",
                                             "%",
                                             "%(",
                                             ")s",
                                             "%%",
                                             ",",
                                             "f\"",
                                             "rb'",
                                             "\xc3\xa9",
                                             "\xff",
                                             "\xe2\x80",
                                             "revision = ",
                                             "down_revision = ",
                                             "None",
                                             "depends_on",
                                             "branch_labels",
                                             "\\\n",
                                             "\0"};

std::string mutate(std::string input, const std::vector<std::string>& corpus, std::mt19937& rng) {
  auto below = [&](size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng);
  };
  int rounds = 1 + static_cast<int>(below(8));
  for (int r = 0; r < rounds; ++r) {
    size_t at = below(input.size() + 1);
    switch (below(6)) {
      case 0:  // flip a bit
        if (!input.empty()) input[below(input.size())] ^= static_cast<char>(1 << below(8));
        break;
      case 1:  // a random byte
        input.insert(at, 1, static_cast<char>(below(256)));
        break;
      case 2:  // drop a run
        if (!input.empty()) input.erase(below(input.size()), 1 + below(16));
        break;
      case 3:  // an interesting token
        input.insert(at, kInteresting[below(std::size(kInteresting))]);
        break;
      case 4: {  // a piece of another seed
        const std::string& other = corpus[below(corpus.size())];
        size_t from = below(other.size() + 1);
        input.insert(at, other.substr(from, 1 + below(64)));
        break;
      }
      default:  // repeat a run
        if (!input.empty()) {
          size_t from = below(input.size());
          input.insert(at, input.substr(from, 1 + below(32)));
        }
    }
  }
  return input;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse(argc, argv);
  std::vector<std::string> corpus = load(options);
  std::mt19937 rng(options.seed);
  for (const std::string& input : corpus)
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  auto stop = std::chrono::steady_clock::now() + std::chrono::duration<double>(options.seconds);
  unsigned long runs = 0;
  auto more = [&] { return options.runs == 0 || runs < options.runs; };
  while (std::chrono::steady_clock::now() < stop && more()) {
    for (int batch = 0; batch < 64 && more(); ++batch, ++runs) {
      std::string input = mutate(corpus[rng() % corpus.size()], corpus, rng);
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    }
  }
  std::printf("%s: %zu seeds, %lu mutated inputs in %.0f s (seed %u), no failure\n", argv[0],
              corpus.size(), runs, options.seconds, options.seed);
  return 0;
}
