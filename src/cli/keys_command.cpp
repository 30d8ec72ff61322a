// `dh keys create|list|revoke|disable|enable|topup|jwt|ledger|ensure-dev`: API keys in the store.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "service/auth.h"
#include "store/store.h"

namespace dh::cli {
namespace {

struct KeysArgs {
  std::string db = "data/dh.sqlite";
  std::string name;
  double balance = -1;  // < 0: unlimited
  std::string modes = "std,pro";
  std::string key;  // id or name
  double units = 0;
  int ttlSeconds = 1800;
  std::string keyFile = "data/dev-api-key";
  bool json = false;
};

store::ApiKey requireKey(store::Store& store, const std::string& idOrName) {
  auto key = store.findKey(idOrName);
  if (!key) throw core::Error(core::ErrorKind::NotFound, "no key with id or name " + idOrName);
  return *key;
}

std::string balanceText(const std::optional<double>& balance) {
  if (!balance) return "unlimited";
  std::ostringstream s;
  s << std::fixed << std::setprecision(3) << *balance;
  return s.str();
}

int create(const KeysArgs& a) {
  auto store = store::openStore(a.db);
  if (a.name.empty()) throw core::Error(core::ErrorKind::InvalidInput, "--name is required");
  if (store->findKey(a.name))
    throw core::Error(core::ErrorKind::InvalidInput, "a key named " + a.name + " already exists");
  const auto made = service::generateKey(
      a.name, a.balance < 0 ? std::nullopt : std::optional<double>(a.balance), a.modes);
  store->createKey(made.record);
  if (a.json) {
    std::cout << nlohmann::json{{"id", made.record.id},
                                {"name", made.record.name},
                                {"api_key", made.apiKey},
                                {"access_key", made.record.accessKey},
                                {"secret_key", made.record.secretKey},
                                {"balance", balanceText(made.record.balance)}}
                     .dump()
              << "\n";
  } else {
    std::cout << "id:         " << made.record.id << "\nname:       " << made.record.name
              << "\napi key:    " << made.apiKey << "   (shown once; only its hash is stored)"
              << "\naccess key: " << made.record.accessKey
              << "\nsecret key: " << made.record.secretKey << "   (signs HS256 JWTs)"
              << "\nbalance:    " << balanceText(made.record.balance) << "\n";
  }
  return 0;
}

int list(const KeysArgs& a) {
  auto store = store::openStore(a.db);
  std::cout << std::left << std::setw(22) << "ID" << std::setw(16) << "NAME" << std::setw(12)
            << "PREFIX" << std::setw(14) << "BALANCE" << std::setw(10) << "MODES"
            << "STATE\n";
  for (const auto& k : store->listKeys()) {
    std::cout << std::setw(22) << k.id << std::setw(16) << k.name << std::setw(12) << k.keyPrefix
              << std::setw(14) << balanceText(k.balance) << std::setw(10) << k.allowedModes
              << (k.revoked    ? "revoked"
                  : k.disabled ? "disabled"
                               : "active")
              << "\n";
  }
  return 0;
}

// Prints the dev key, creating it (and its file) when the store or the file lacks it.
int ensureDev(const KeysArgs& a) {
  auto store = store::openStore(a.db);
  const std::string name = a.name.empty() ? "dev" : a.name;
  std::string key;
  if (std::ifstream in(a.keyFile); in) std::getline(in, key);
  if (!key.empty()) {
    auto found = store->findKeyByHash(service::sha256Hex(key));
    if (found && !found->revoked) {
      std::cout << key << "\n";
      return 0;
    }
  }
  std::string unique = name;
  for (int i = 2; store->findKey(unique); ++i) unique = name + "-" + std::to_string(i);
  const auto made = service::generateKey(unique, std::nullopt);
  store->createKey(made.record);
  const auto parent = std::filesystem::path(a.keyFile).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  {
    std::ofstream out(a.keyFile, std::ios::trunc);
    out << made.apiKey << "\n";
  }
  chmod(a.keyFile.c_str(), 0600);
  std::cout << made.apiKey << "\n";
  return 0;
}

}  // namespace

Command addKeysCommand(CLI::App& app) {
  auto a = std::make_shared<KeysArgs>();
  CLI::App* cmd = app.add_subcommand("keys", "Manage API keys, balances and the ledger");
  cmd->require_subcommand(1);
  cmd->add_option("--db", a->db, "Store: SQLite file")->envname("DH_DB")->capture_default_str();
  auto* createCmd = cmd->add_subcommand("create", "Create a key; prints it once");
  createCmd->add_option("--name", a->name, "Label of the key (unique)")->required();
  createCmd->add_option("--balance", a->balance, "Starting balance in units (default unlimited)");
  createCmd->add_option("--modes", a->modes, "Modes the key may use")->capture_default_str();
  createCmd->add_flag("--json", a->json, "Print JSON");
  auto* listCmd = cmd->add_subcommand("list", "List keys (hashes only; keys are never shown)");
  auto* revokeCmd = cmd->add_subcommand("revoke", "Revoke a key: it no longer authenticates");
  revokeCmd->add_option("key", a->key, "Key id or name")->required();
  auto* disableCmd = cmd->add_subcommand("disable", "Disable an account: no new tasks (1100)");
  disableCmd->add_option("key", a->key, "Key id or name")->required();
  auto* enableCmd = cmd->add_subcommand("enable", "Enable a disabled account again");
  enableCmd->add_option("key", a->key, "Key id or name")->required();
  auto* topupCmd = cmd->add_subcommand("topup", "Add units to a key's balance");
  topupCmd->add_option("key", a->key, "Key id or name")->required();
  topupCmd->add_option("units", a->units, "Units to add")->required();
  auto* jwtCmd = cmd->add_subcommand("jwt", "Print an HS256 JWT for a key's access key");
  jwtCmd->add_option("key", a->key, "Key id or name")->required();
  jwtCmd->add_option("--ttl", a->ttlSeconds, "Seconds of validity")->capture_default_str();
  auto* ledgerCmd = cmd->add_subcommand("ledger", "Print a key's ledger as JSON lines");
  ledgerCmd->add_option("key", a->key, "Key id or name")->required();
  auto* devCmd = cmd->add_subcommand("ensure-dev", "Print the development key, creating it once");
  devCmd->add_option("--file", a->keyFile, "Where the development key is kept (mode 0600)")
      ->capture_default_str();
  devCmd->add_option("--name", a->name, "Label of the development key");

  return {cmd, [=] {
            if (createCmd->parsed()) return create(*a);
            if (listCmd->parsed()) return list(*a);
            if (devCmd->parsed()) return ensureDev(*a);
            auto store = store::openStore(a->db);
            const store::ApiKey key = requireKey(*store, a->key);
            if (revokeCmd->parsed()) {
              store->revokeKey(key.id);
              std::cout << "revoked " << key.name << " (" << key.id << ")\n";
            } else if (disableCmd->parsed() || enableCmd->parsed()) {
              store->setKeyDisabled(key.id, disableCmd->parsed());
              std::cout << (disableCmd->parsed() ? "disabled " : "enabled ") << key.name << "\n";
            } else if (topupCmd->parsed()) {
              std::cout << "balance of " << key.name << ": "
                        << balanceText(store->topUp(key.id, a->units)) << "\n";
            } else if (jwtCmd->parsed()) {
              const long long now = store::nowMillis() / 1000;
              std::cout << service::makeJwt(key.accessKey, key.secretKey, now - 5,
                                            now + a->ttlSeconds)
                        << "\n";
            } else if (ledgerCmd->parsed()) {
              for (const auto& e : store->ledger(key.id)) {
                std::cout << nlohmann::json{{"id", e.id},
                                            {"task_id", e.taskId},
                                            {"kind", e.kind},
                                            {"units", e.units},
                                            {"balance_after", e.balanceAfter
                                                                  ? nlohmann::json(*e.balanceAfter)
                                                                  : nlohmann::json(nullptr)},
                                            {"created_at", e.createdAt}}
                                 .dump()
                          << "\n";
              }
            }
            return 0;
          }};
}

}  // namespace dh::cli
