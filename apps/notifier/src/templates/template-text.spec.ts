import { cleanValue, escapeHtml, fill, MissingTemplateVariableError } from './template-text';

describe('template text', () => {
  it('fills placeholders and drops bold markers in text', () => {
    expect(fill('Hi {{user}}, welcome to **{{project}}**.', { user: 'Ann', project: 'Acme' })).toBe('Hi Ann, welcome to Acme.');
  });

  it('escapes literal text and values in HTML and turns ** into <strong>', () => {
    expect(fill('**{{project}}** & co', { project: '<img src=x onerror=alert(1)>' }, 'html')).toBe(
      '<strong>&lt;img src=x onerror=alert(1)&gt;</strong> &amp; co',
    );
  });

  it('does not interpret markers or placeholders inside values', () => {
    expect(fill('{{a}}', { a: '**{{b}}**', b: 'no' }, 'html')).toBe('**{{b}}**');
  });

  it('refuses a template whose variable has no value', () => {
    expect(() => fill('{{missing}}', {})).toThrow(MissingTemplateVariableError);
  });

  it('cleans CR/LF and other controls out of user-provided values and cuts them', () => {
    expect(cleanValue('Evil\r\nBcc: x@y.test\u2028z')).toBe('Evil Bcc: x@y.test z');
    expect(cleanValue('a \u0000\u0001\u0085 b\t\u007f')).toBe('a b');
    expect(cleanValue('a'.repeat(300), 10)).toBe('a'.repeat(10));
    expect(cleanValue(undefined)).toBe('');
  });

  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});
