import type { SessionClientInfo } from '@twostep/auth-data-access';

/**
 * A deliberately small User-Agent reader for the Session model (osName, clientName, deviceName ...).
 * Appwrite uses a full device detector; SDKs only display these strings, so the common browsers,
 * operating systems and the Appwrite SDKs are enough. Unknown parts stay `""`.
 */
interface Rule {
  re: RegExp;
  code: string;
  name: string;
  engine?: string;
}

const OS_RULES: Array<Rule & { version?: (m: RegExpExecArray) => string }> = [
  {
    re: /Windows NT (\d+\.\d+)/,
    code: 'WIN',
    name: 'Windows',
    version: (m) => ({ '10.0': '10', '6.3': '8.1', '6.2': '8', '6.1': '7' })[m[1]] ?? m[1],
  },
  { re: /(?:iPhone|iPad|iPod).*? OS (\d+)[_.](\d+)/, code: 'IOS', name: 'iOS', version: (m) => `${m[1]}.${m[2]}` },
  { re: /Mac OS X (\d+)[_.](\d+)/, code: 'MAC', name: 'Mac', version: (m) => `${m[1]}.${m[2]}` },
  { re: /Android (\d+(?:\.\d+)?)/, code: 'AND', name: 'Android', version: (m) => m[1] },
  { re: /CrOS/, code: 'COS', name: 'Chrome OS' },
  { re: /Linux/, code: 'LIN', name: 'GNU/Linux' },
];

const CLIENT_RULES: Rule[] = [
  { re: /Edg(?:e|A|iOS)?\/(\d+(?:\.\d+)?)/, code: 'PS', name: 'Microsoft Edge', engine: 'Blink' },
  { re: /OPR\/(\d+(?:\.\d+)?)/, code: 'OP', name: 'Opera', engine: 'Blink' },
  { re: /Firefox\/(\d+(?:\.\d+)?)/, code: 'FF', name: 'Firefox', engine: 'Gecko' },
  { re: /CriOS\/(\d+(?:\.\d+)?)/, code: 'CM', name: 'Chrome Mobile iOS', engine: 'WebKit' },
  { re: /Chrome\/(\d+(?:\.\d+)?)/, code: 'CH', name: 'Chrome', engine: 'Blink' },
  { re: /Version\/(\d+(?:\.\d+)?).*Safari\//, code: 'SF', name: 'Safari', engine: 'WebKit' },
];

const LIBRARY_RULES: Rule[] = [
  { re: /AppwriteNodeJSSDK\/(\d+(?:\.\d+){0,2})/, code: 'NJS', name: 'Node.js SDK' },
  { re: /AppwriteCLI\/(\d+(?:\.\d+){0,2})/, code: 'CLI', name: 'Appwrite CLI' },
  { re: /^node(?:-fetch)?(?:\/(\d+(?:\.\d+)*))?$/i, code: 'NOD', name: 'Node.js' },
  { re: /^undici(?:\/(\d+(?:\.\d+)*))?$/i, code: 'NOD', name: 'Node.js' },
  { re: /^curl\/(\d+(?:\.\d+)*)/, code: 'CUR', name: 'curl' },
];

export function parseUserAgent(userAgent: string | undefined): SessionClientInfo {
  const ua = (userAgent ?? '').slice(0, 512);
  const info: Required<SessionClientInfo> = {
    osCode: '',
    osName: '',
    osVersion: '',
    clientType: '',
    clientCode: '',
    clientName: '',
    clientVersion: '',
    clientEngine: '',
    clientEngineVersion: '',
    deviceName: '',
    deviceBrand: '',
    deviceModel: '',
  };
  if (!ua) return info;
  for (const rule of OS_RULES) {
    const m = rule.re.exec(ua);
    if (m) {
      info.osCode = rule.code;
      info.osName = rule.name;
      info.osVersion = rule.version?.(m) ?? '';
      break;
    }
  }
  const library = LIBRARY_RULES.map((rule) => ({ rule, m: rule.re.exec(ua) })).find((x) => x.m);
  if (library) {
    info.clientType = 'library';
    info.clientCode = library.rule.code;
    info.clientName = library.rule.name;
    info.clientVersion = library.m?.[1] ?? '';
  } else {
    const browser = CLIENT_RULES.map((rule) => ({ rule, m: rule.re.exec(ua) })).find((x) => x.m);
    if (browser) {
      info.clientType = 'browser';
      info.clientCode = browser.rule.code;
      info.clientName = browser.rule.name;
      info.clientVersion = browser.m?.[1] ?? '';
      info.clientEngine = browser.rule.engine ?? '';
    }
  }
  if (/iPad|Tablet/.test(ua) || (/Android/.test(ua) && !/Mobile/.test(ua))) info.deviceName = 'tablet';
  else if (/Mobile|iPhone|iPod|Android/.test(ua)) info.deviceName = 'smartphone';
  else if (info.clientType === 'browser' || /Windows NT|Macintosh|X11/.test(ua)) info.deviceName = 'desktop';
  if (/iPhone|iPad|iPod|Macintosh/.test(ua)) info.deviceBrand = 'Apple';
  return info;
}
