import { z } from 'zod';

// The page's Content-Security-Policy allows no eval (ARCHITECTURE.md, "Security"). zod probes `new Function()` when
// a schema is built, to compile faster checks, and the policy blocks and reports the probe: told not to, it checks
// the slower, plain way. It must run before any schema is built, so this module is the entry point's first import.
z.config({ jitless: true });
