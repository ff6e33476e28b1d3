import { DEFAULT_HISTORY_DIR } from "../service/paths.js";

/**
 * The daily history folder of a command: `--history`, else XMARGIN_HISTORY_DIR (as `serve`), else ../shared/data
 * beside the package. A missing folder is reported by the loader with this hint.
 */
export function historyDir(option?: string): string {
  return option || process.env.XMARGIN_HISTORY_DIR || DEFAULT_HISTORY_DIR;
}
