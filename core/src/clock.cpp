#include "kgw/core/clock.hpp"

#include <fmt/format.h>

namespace kgw {

const SystemClock& SystemClock::instance() noexcept {
  static const SystemClock clock;
  return clock;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

result<WallTime> parse_rfc3339(std::string_view s) noexcept {
  using namespace std::chrono;
  int y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return Error(errc::invalid_argument);
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return Error(errc::invalid_argument);
  std::size_t pos = 19;
  std::int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 9) {
        frac_ns = frac_ns * 10 + (s[pos] - '0');
        ++n;
      }
      ++pos;
    }
    if (n == 0) return Error(errc::invalid_argument);
    for (; n < 9; ++n) frac_ns *= 10;
  }
  std::int64_t offset_s = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om))
      return Error(errc::invalid_argument);
    offset_s = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return Error(errc::invalid_argument);
  }
  if (pos != s.size()) return Error(errc::invalid_argument);
  const auto secs = sys_days{ymd}.time_since_epoch() + hours{h} + minutes{mi} + seconds{se} - seconds{offset_s};
  return WallTime{duration_cast<nanoseconds>(secs) + nanoseconds{frac_ns}};
}

std::string format_rfc3339(WallTime t, int decimals) {
  using namespace std::chrono;
  if (decimals < 0) decimals = 0;
  if (decimals > 9) decimals = 9;
  const auto day_point = floor<days>(t);
  const year_month_day ymd{day_point};
  const auto in_day = t - day_point;
  const auto h = duration_cast<hours>(in_day);
  const auto m = duration_cast<minutes>(in_day - h);
  const auto s = duration_cast<seconds>(in_day - h - m);
  const auto ns = (in_day - h - m - s).count();
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), h.count(),
                                m.count(), s.count());
  if (decimals > 0) {
    std::int64_t frac = ns;
    for (int i = 9; i > decimals; --i) frac /= 10;
    out += fmt::format(".{:0{}}", frac, decimals);
  }
  out += 'Z';
  return out;
}

}  // namespace kgw
