// The authorization server's pages: plain server-rendered HTML (no framework, no script), in Chinese and
// English side by side, laid out for a phone's width. Every value shown is escaped; the pages' CSP
// (auth-router.ts) allows only their own inline style, by nonce.

export interface PageOptions {
  /** The CSP nonce of the page's style element. */
  nonce: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const style = `
body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f3f5f7;color:#1b1f24}
main{max-width:26rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.3rem;margin:0 0 .25rem}
.en{color:#5b6570;font-size:.9em}
form,section{background:#fff;border-radius:.5rem;padding:1rem;margin:1rem 0;box-shadow:0 1px 3px #0002}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=password],input[type=search]{width:100%;box-sizing:border-box;font-size:1rem;padding:.6rem;border:1px solid #b8c0c8;border-radius:.35rem}
button{font-size:1rem;padding:.7rem 1rem;border:0;border-radius:.35rem;margin:.75rem .5rem 0 0;background:#0b6bcb;color:#fff;width:100%}
button.secondary{background:#e4e8ec;color:#1b1f24}
.error{background:#fdecec;color:#8a1c1c;padding:.6rem;border-radius:.35rem}
ul{padding-left:1.2rem} li{margin:.3rem 0}
.patient{display:block;margin:.4rem 0;font-weight:400}
`;

function page(title: string, titleEn: string, body: string, options: PageOptions): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(titleEn)}</title>
<style nonce="${options.nonce}">${style}</style>
</head>
<body><main>
<h1>${escapeHtml(title)} <span class="en">${escapeHtml(titleEn)}</span></h1>
${body}
</main></body>
</html>
`;
}

export function loginPage(params: { ticket: string; clientName: string; error?: string; account?: string }, options: PageOptions): string {
  const error = params.error ? `<p class="error" role="alert">${escapeHtml(params.error)}</p>` : '';
  return page(
    '登录',
    'Sign in',
    `<p>应用 <strong>${escapeHtml(params.clientName)}</strong> 请求访问健康数据。<br><span class="en">The app <strong>${escapeHtml(params.clientName)}</strong> asks to access health records.</span></p>
<form method="post" action="login">
${error}
<input type="hidden" name="ticket" value="${escapeHtml(params.ticket)}">
<label for="username">账号 <span class="en">Account</span></label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" required value="${escapeHtml(params.account ?? '')}">
<label for="password">密码 <span class="en">Password</span></label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">登录 <span>Sign in</span></button>
</form>`,
    options
  );
}

export interface ConsentPatient {
  id: string;
  label: string;
}

export function consentPage(
  params: {
    ticket: string;
    clientName: string;
    userName: string;
    scopes: { scope: string; text: string }[];
    /** The patient already bound (launch, or the user's own record). */
    patient?: ConsentPatient;
    /** Standalone launch by a practitioner: the patient to choose. */
    picker?: { query: string; candidates: ConsentPatient[] };
    error?: string;
  },
  options: PageOptions
): string {
  const error = params.error ? `<p class="error" role="alert">${escapeHtml(params.error)}</p>` : '';
  const scopes = params.scopes.map((s) => `<li>${escapeHtml(s.text)} <code class="en">${escapeHtml(s.scope)}</code></li>`).join('\n');
  const bound = params.patient ? `<p>患者 <span class="en">Patient</span>: <strong>${escapeHtml(params.patient.label)}</strong></p>` : '';
  const picker = params.picker
    ? `<label for="q">选择患者 <span class="en">Choose the patient</span></label>
<input type="search" id="q" name="q" value="${escapeHtml(params.picker.query)}" placeholder="姓名 / name">
<button type="submit" name="decision" value="search" class="secondary">查找 <span>Search</span></button>
${params.picker.candidates.length === 0 ? '<p>没有可选的患者 <span class="en">No patient to choose</span></p>' : ''}
${params.picker.candidates
  .map((p, i) => `<label class="patient"><input type="radio" name="patient" value="${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(p.label)}</label>`)
  .join('\n')}`
    : '';
  return page(
    '授权',
    'Allow access',
    `<form method="post" action="consent">
${error}
<input type="hidden" name="ticket" value="${escapeHtml(params.ticket)}">
<p><strong>${escapeHtml(params.userName)}</strong>，应用 <strong>${escapeHtml(params.clientName)}</strong> 请求以下权限：<br>
<span class="en"><strong>${escapeHtml(params.clientName)}</strong> asks for:</span></p>
<ul>
${scopes}
</ul>
${bound}
${picker}
<button type="submit" name="decision" value="approve">同意 <span>Allow</span></button>
<button type="submit" name="decision" value="deny" class="secondary">拒绝 <span>Deny</span></button>
</form>`,
    options
  );
}

export function errorPage(message: string, options: PageOptions): string {
  return page('无法授权', 'Cannot authorize', `<section><p class="error" role="alert">${escapeHtml(message)}</p></section>`, options);
}

/** A scope in words, for the consent page. */
export function describeScope(scope: string): string {
  const known: Record<string, string> = {
    openid: '确认您的身份 · confirm who you are',
    fhirUser: '您的 FHIR 身份 · your FHIR identity',
    launch: '当前患者与就诊 · the current patient and encounter',
    'launch/patient': '选择患者 · a patient chosen at launch',
    'launch/encounter': '当前就诊 · the current encounter',
    offline_access: '离线时继续访问 · access while you are away',
    online_access: '登录期间访问 · access while you are signed in',
  };
  if (known[scope]) {
    return known[scope];
  }
  const match = /^(patient|user|system)\/([A-Za-z*]+)\.([a-z*]+)/.exec(scope);
  if (!match) {
    return scope;
  }
  const whose = { patient: '患者的 · the patient’s', user: '您可见的 · what you may see of', system: '系统 · system' }[match[1]];
  const what = match[2] === '*' ? '全部记录 all records' : match[2];
  const reads = /[rs]|read|\*/.test(match[3]);
  const writes = /[cud]|write|\*/.test(match[3]);
  return `${whose} ${what}: ${[reads ? '读取 read' : '', writes ? '写入 write' : ''].filter(Boolean).join(' / ')}`;
}
