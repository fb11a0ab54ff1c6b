// sd_notify(3) glue: READY, STATUS, WATCHDOG, STOPPING, RELOADING. Every
// call is a no-op when not run by systemd (no $NOTIFY_SOCKET).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ndrlink::daemon::systemd {

void ready(std::string_view status);
void status(std::string_view status);
void reloading();
void stopping();
void watchdog();
// Half the WatchdogSec= interval when the watchdog is on.
std::optional<std::chrono::microseconds> watchdog_interval();
// True when stderr goes to the journal ($JOURNAL_STREAM matches).
bool stderr_is_journal();

}  // namespace ndrlink::daemon::systemd
