import path from 'node:path';
import { ExpressHandlebars } from 'express-handlebars';

type Partials = ReturnType<ExpressHandlebars['getPartials']>;

/**
 * express-handlebars gathers the partials folder again on every render, a
 * promise per file, although with the view cache on they never change: they
 * are gathered once then. Without the cache (development) they are read
 * afresh, as before.
 */
class CachedPartialsEngine extends ExpressHandlebars {
  private partials: Partials | undefined;

  override getPartials(options: Parameters<ExpressHandlebars['getPartials']>[0] = {}): Partials {
    if (!options.cache) return super.getPartials(options);
    this.partials ??= super.getPartials(options).catch((err: unknown) => {
      this.partials = undefined;
      throw err;
    });
    return this.partials;
  }
}

/** The .hbs engine: views/layouts/main.hbs around every page unless a render says otherwise, partials from views/partials. */
export function viewEngine(root: string) {
  return new CachedPartialsEngine({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(root, 'views/layouts'),
    partialsDir: path.join(root, 'views/partials'),
    // The templates use Handlebars' own helpers only (if, each, unless, lookup): compiled knowing
    // that, a {{name}} reads the model directly instead of first looking for a helper so named.
    // A partial on a line of its own is not indented line by line: the split and join of its output
    // were a tenth of a list page's rendering, and would shift the lines of any preformatted text in it.
    compilerOptions: { knownHelpersOnly: true, preventIndent: true },
  }).engine;
}
