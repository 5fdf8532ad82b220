// Builds the git-ignored static assets from npm packages (never commit third-party files).
// Output: ../portal/static/ (served at /assets and /static).
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "portal", "static");
const assets = join(out, "assets");
const govuk = join(here, "node_modules", "govuk-frontend", "dist", "govuk");
mkdirSync(join(assets, "images"), { recursive: true });
mkdirSync(join(out, "vendor"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const css = sass.compile(join(here, "src", "portal.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
});
writeFileSync(join(assets, "portal.css"), css.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(assets, "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(assets, "images"), { recursive: true });
cpSync(join(govuk, "assets", "manifest.json"), join(assets, "manifest.json"));
cpSync(join(here, "node_modules", "htmx.org", "dist", "htmx.min.js"), join(out, "vendor", "htmx.min.js"));
cpSync(join(here, "node_modules", "axe-core", "axe.min.js"), join(out, "vendor", "axe.min.js"));
cpSync(join(here, "src", "portal.mjs"), join(out, "js", "portal.mjs"));
console.log("built static assets in", out);
