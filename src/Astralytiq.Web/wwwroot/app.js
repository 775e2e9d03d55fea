// Saves bytes the app fetched with its token (report files) as a download.
window.astralytiqSave = (name, type, base64) => {
    const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
};

// The SQL workspace's editor: Ctrl+Enter runs, Tab takes the suggestion shown (only while one is), Escape drops it;
// every edit tells the page the text and the caret, so it can suggest names for the word being typed.
window.astralytiqSql = {
    attach(el, page) {
        el.addEventListener('keydown', e => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                page.invokeMethodAsync('RunFromKeyboard', el.value);
            } else if (e.key === 'Tab' && !e.shiftKey && el.dataset.suggest) {
                e.preventDefault();
                page.invokeMethodAsync('Accept', el.value, el.selectionStart);
            } else if (e.key === 'Escape' && el.dataset.suggest) {
                page.invokeMethodAsync('Dismiss');
            }
        });
        el.addEventListener('input', () => page.invokeMethodAsync('Typed', el.value, el.selectionStart));
    },
    caret(el) { return el.selectionStart ?? el.value.length; },
    set(el, text, caret) {
        el.value = text;
        el.focus();
        el.setSelectionRange(caret, caret);
    },
};

// An installable app (manifest.webmanifest): the worker is registered here, as the CSP allows no inline script.
if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('service-worker.js');
}

// How a locale writes numbers, by the browser's own locale data: decimal sign, thousands separator, and the digit groups
// of 1234567890 left to right (the app reads the grouping from them). Latin digits whatever the locale's own.
window.astralytiqNumberParts = locale => {
    let format;
    try {
        format = new Intl.NumberFormat(locale, { numberingSystem: 'latn', useGrouping: true });
    } catch {
        format = new Intl.NumberFormat('en-US');
    }
    const parts = format.formatToParts(1234567890.5);
    return {
        decimal: parts.find(p => p.type === 'decimal')?.value ?? '.',
        group: parts.find(p => p.type === 'group')?.value ?? '',
        groups: parts.filter(p => p.type === 'integer').map(p => p.value),
    };
};
