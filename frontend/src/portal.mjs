// Loaded as a module from a file, so the CSP needs no inline scripts.
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();
