/**
 * The vocabulary of the synthetic tracker. Common words are drawn often and
 * with a skew (a few of them very often), rare ones seldom and evenly, so a
 * search for one rare word finds a few percent of tasks and two rare words
 * together a fraction of a percent, as in a real tracker.
 */

export const COMMON_WORDS = [
  'page', 'error', 'user', 'save', 'button', 'list', 'search', 'login', 'server', 'request',
  'update', 'form', 'link', 'email', 'file', 'upload', 'report', 'task', 'project', 'settings',
  'profile', 'account', 'password', 'session', 'timeout', 'crash', 'slow', 'broken', 'missing', 'wrong',
  'display', 'layout', 'mobile', 'browser', 'firefox', 'chrome', 'safari', 'window', 'dialog', 'menu',
  'sidebar', 'header', 'footer', 'table', 'column', 'row', 'filter', 'sort', 'order', 'date',
  'time', 'zone', 'format', 'locale', 'language', 'translation', 'text', 'title', 'description', 'comment',
  'notification', 'message', 'queue', 'worker', 'job', 'retry', 'database', 'query', 'index', 'cache',
  'memory', 'disk', 'network', 'proxy', 'api', 'token', 'permission', 'role', 'admin', 'group',
  'team', 'member', 'invite', 'share', 'export', 'import', 'csv', 'json', 'preview', 'image',
  'avatar', 'icon', 'color', 'theme', 'dark', 'font', 'scroll', 'click', 'keyboard', 'shortcut',
  'focus', 'input', 'field', 'validation', 'empty', 'value', 'default', 'config', 'option', 'flag',
  'build', 'deploy', 'release', 'version', 'upgrade', 'migration', 'test', 'flaky', 'log', 'warning',
  'status', 'priority', 'owner', 'assign', 'close', 'reopen', 'duplicate', 'label', 'tag', 'badge',
  'counter', 'total', 'limit', 'paging', 'pagination', 'cursor', 'load', 'render', 'template', 'style',
];

export const RARE_WORDS = [
  'deadlock', 'kerberos', 'webhook', 'tombstone', 'checksum', 'idempotency', 'backpressure', 'heartbeat', 'watchdog', 'sharding',
  'replica', 'failover', 'quorum', 'snapshot', 'rollback', 'hotfix', 'regression', 'bisect', 'segfault', 'overflow',
  'underflow', 'mutex', 'semaphore', 'spinlock', 'livelock', 'starvation', 'throttle', 'debounce', 'memoize', 'hydration',
  'serializer', 'deserializer', 'protobuf', 'grpc', 'graphql', 'websocket', 'longpoll', 'sse', 'oauth', 'saml',
  'ldap', 'scim', 'totp', 'webauthn', 'passkey', 'captcha', 'honeypot', 'ratelimit', 'blocklist', 'allowlist',
  'unicode', 'emoji', 'bidi', 'rtl', 'hyphenation', 'kerning', 'ligature', 'glyph', 'favicon', 'sprite',
  'svg', 'canvas', 'webgl', 'shader', 'texture', 'viewport', 'breakpoint', 'flexbox', 'grid', 'tooltip',
  'popover', 'carousel', 'accordion', 'breadcrumb', 'stepper', 'spinner', 'skeleton', 'toast', 'modal', 'drawer',
  'autocomplete', 'typeahead', 'combobox', 'datepicker', 'colorpicker', 'slider', 'toggle', 'checkbox', 'radio', 'dropdown',
  'iframe', 'sandbox', 'csp', 'cors', 'csrf', 'xss', 'clickjacking', 'phishing', 'spoofing', 'injection',
  'sqlite', 'postgres', 'mysql', 'redis', 'memcached', 'elasticsearch', 'kafka', 'rabbitmq', 'nginx', 'haproxy',
  'kubernetes', 'docker', 'terraform', 'ansible', 'jenkins', 'buildkite', 'artifact', 'registry', 'mirror', 'tarball',
  'changelog', 'manifest', 'lockfile', 'dependency', 'vendoring', 'monorepo', 'submodule', 'rebase', 'cherrypick', 'squash',
  'daylight', 'leapyear', 'epoch', 'nanosecond', 'monotonic', 'drift', 'jitter', 'latency', 'throughput', 'percentile',
  'histogram', 'sampling', 'telemetry', 'tracing', 'span', 'profiler', 'flamegraph', 'allocation', 'leak', 'fragmentation',
  'vacuum', 'bloat', 'autovacuum', 'wraparound', 'checkpoint', 'fsync', 'journal', 'inode', 'symlink', 'hardlink',
  'encoding', 'charset', 'gzip', 'brotli', 'zstd', 'chunked', 'multipart', 'boundary', 'mimetype', 'attachment',
  'thumbnail', 'exif', 'orientation', 'rotation', 'crop', 'resize', 'watermark', 'transcoding', 'subtitle', 'caption',
  'accessibility', 'screenreader', 'aria', 'contrast', 'zoom', 'magnifier', 'dyslexia', 'reduced', 'motion', 'captioning',
  'invoice', 'billing', 'refund', 'coupon', 'subscription', 'trial', 'quota', 'overage', 'metering', 'pricing',
  'onboarding', 'wizard', 'tutorial', 'walkthrough', 'tooltipster', 'changeset', 'diff', 'patch', 'hunk', 'conflict',
  'backlog', 'sprint', 'milestone', 'roadmap', 'epic', 'story', 'spike', 'retrospective', 'standup', 'triage',
  'escalation', 'pager', 'oncall', 'incident', 'postmortem', 'outage', 'degraded', 'maintenance', 'downtime', 'sla',
  'gdpr', 'retention', 'anonymize', 'pseudonym', 'consent', 'cookiebanner', 'audit', 'compliance', 'encryption', 'keyring',
  'certificate', 'tls', 'handshake', 'cipher', 'hsts', 'ocsp', 'revocation', 'renewal', 'letsencrypt', 'wildcard',
];

/** How comments begin; the rest of each comment is drawn from the vocabulary. */
export const COMMENT_OPENERS = [
  'I can reproduce this on staging:',
  'Confirmed on the latest build.',
  'This looks like the same problem as last week:',
  'I had a look at the logs and found',
  'Could you attach a screenshot of',
  'Works for me on Firefox, but not with',
  'The root cause seems to be',
  'I pushed a fix that touches',
  'Reverted for now, it broke',
  'Lowering the priority, since only a few people hit',
  'Raising this: customers keep reporting',
  'Is this still happening after the release with',
  'Steps I used:',
  'A possible workaround is to disable',
  'We should add a test for',
  'Closing as fixed by the change to',
  'Reopening, it came back with',
  'Not sure this belongs here; it may be',
  'Thanks for the report! Next step is to check',
  'Some numbers from production:',
  'Pairing on this tomorrow; the plan is to look at',
  'Bisected it to the commit that changed',
  'The patch is up for review, it rewrites',
  'Good catch. I think we also need to handle',
];

/** How titles begin. */
export const TITLE_OPENERS = [
  'Fix', 'Add', 'Remove', 'Support', 'Improve', 'Investigate', 'Crash in', 'Slow', 'Broken', 'Missing',
  'Cannot', 'Update', 'Refactor', 'Document', 'Allow', 'Show', 'Hide', 'Wrong', 'Flaky', 'Migrate',
];

export const FIRST_NAMES = [
  'Alice', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Gustav', 'Hana', 'Ines', 'Jonas',
  'Kofi', 'Lena', 'Mateo', 'Nadia', 'Oskar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomoko',
  'Ugo', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe', 'Arjun', 'Bea', 'Carlos', 'Dmitri',
  'Elif', 'Farid', 'Greta', 'Hugo', 'Ivy', 'Jamal', 'Kaito', 'Lucia', 'Milan', 'Noor',
];

export const LAST_NAMES = [
  'Abbott', 'Berg', 'Costa', 'Diallo', 'Eriksen', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jansen',
  'Kowalski', 'Larsen', 'Moreau', 'Novak', 'Okafor', 'Petrov', 'Quinn', 'Rossi', 'Sato', 'Tanaka',
  'Ueda', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zhang', 'Almeida', 'Brandt', 'Castro', 'Dubois',
];
