// `papers-digest resume [sending|scraping|all]`: the other half of src/cli/pause.ts.
import { pauseCommand } from './pause.js';

export const command = pauseCommand(false);
