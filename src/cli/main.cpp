#include "cli/app.h"

int main(int argc, char** argv) {
  return dh::cli::runApp(argc, argv);
}
