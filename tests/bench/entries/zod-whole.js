// zod 4.0.5 as a page that validates with it loads it: the whole library (`z` kept as a value,
// so nothing is shaken off). The connect form page's budget is this bundle's size.
import { z } from 'zod';

window.z = z;
