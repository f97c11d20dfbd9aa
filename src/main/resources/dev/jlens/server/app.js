/* jlens web UI: sends the form as an analysis request, follows the job, shows the report's sections. */
(function () {
  'use strict';

  var rows = document.getElementById('rows');
  var kinds = document.getElementById('kinds');
  var attributionKinds = document.getElementById('attribution-kinds');
  var runButton = document.getElementById('run');
  var cancelButton = document.getElementById('cancel');
  var progress = document.getElementById('progress');
  var statusText = document.getElementById('status');
  var results = document.getElementById('results');
  var downloads = document.getElementById('downloads');
  var current = null;
  var pollTimer = null;

  function field(cls, id, value, placeholder) {
    var input = document.createElement('input');
    input.type = 'text';
    input.className = cls;
    input.id = id;
    input.value = value;
    input.placeholder = placeholder;
    input.spellcheck = false;
    return input;
  }

  function addRow(prompt, correct, incorrect, corrupted) {
    var i = rows.children.length;
    var row = document.createElement('div');
    row.className = 'app-row';
    row.appendChild(field('app-prompt', 'prompt-' + i, prompt, 'When John and Mary went to the shops, John gave the bag to'));
    row.appendChild(field('app-answer', 'correct-' + i, correct, "' Mary' (mind the space)"));
    row.appendChild(field('app-answer', 'incorrect-' + i, incorrect, "' John'"));
    row.appendChild(field('app-prompt', 'corrupted-' + i, corrupted, 'optional'));
    var remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'app-remove';
    remove.textContent = '\u2212';
    remove.addEventListener('click', function () {
      if (rows.children.length < 2) return;
      row.remove();
      renumber();
    });
    row.appendChild(remove);
    rows.appendChild(row);
    renumber();
  }

  /** Ids follow the rows' order; the only row cannot be removed, and its button says so. */
  function renumber() {
    var only = rows.children.length === 1;
    Array.prototype.forEach.call(rows.children, function (row, i) {
      var inputs = row.querySelectorAll('input');
      ['prompt-', 'correct-', 'incorrect-', 'corrupted-'].forEach(function (name, k) { inputs[k].id = name + i; });
      var remove = row.querySelector('.app-remove');
      remove.disabled = only;
      remove.title = only ? 'an analysis needs at least one prompt' : 'remove this prompt (row ' + (i + 1) + ')';
    });
  }

  function setStatus(text, kind) {
    statusText.textContent = text;
    statusText.className = kind || '';
  }

  function request() {
    var prompts = [], answers = [], corrupted = [];
    Array.prototype.forEach.call(rows.children, function (row) {
      var inputs = row.querySelectorAll('input');
      prompts.push(inputs[0].value);
      answers.push([inputs[1].value, inputs[2].value]);
      corrupted.push(inputs[3].value);
    });
    var body = {prepend_bos: document.getElementById('prepend-bos').checked, prompts: prompts, answers: answers};
    // The corrupted prompt is optional: a blank one is absent, never a prompt of BOS alone.
    var blank = corrupted.map(function (c) { return c.trim().length === 0; });
    var anyCorrupted = blank.indexOf(false) >= 0;
    if (anyCorrupted && blank.indexOf(true) >= 0) {
      throw new Error('Row ' + (blank.indexOf(true) + 1) + ': the corrupted prompt is blank; give one for every row, or none');
    }
    if (anyCorrupted) {
      body.corrupted_prompts = corrupted;
      body.patching = ticked(kinds);
      body.attribution = ticked(attributionKinds);
    }
    return body;
  }

  function ticked(list) {
    return Array.prototype.filter.call(list.querySelectorAll('input'), function (c) { return c.checked; }).map(function (c) { return c.value; });
  }

  function json(response) {
    return response.json().then(function (body) {
      if (!response.ok) throw new Error(body.error || ('HTTP ' + response.status));
      return body;
    });
  }

  function finish() {
    current = null;
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = null;
    runButton.disabled = false;
    cancelButton.disabled = true;
  }

  function show(job) {
    if (job.total > 0) {
      progress.max = job.total;
      progress.value = job.done;
    }
    if (job.state === 'queued') setStatus('Waiting for the model\u2026');
    else if (job.state === 'running') {
      setStatus(job.stage === 'patching' && job.total > 0 ? 'Patching: ' + job.done + ' / ' + job.total + ' runs' : 'Analyzing\u2026');
    } else if (job.state === 'done') {
      progress.value = progress.max;
      results.innerHTML = job.html;   // server-made; every user string in it is escaped
      results.setAttribute('data-job', job.id);
      downloads.hidden = false;
      document.getElementById('download-result').href = '/api/jobs/' + job.id + '/result.json';
      document.getElementById('download-report').href = '/api/jobs/' + job.id + '/report.html';
      globalThis.jlens.renderAll(results);
      setStatus('Done.', 'ok');
      finish();
    } else if (job.state === 'failed') {
      setStatus(job.error, 'error');
      finish();
    } else if (job.state === 'cancelled') {
      setStatus('Cancelled after ' + job.done + ' of ' + job.total + ' patching runs.', 'error');
      finish();
    }
  }

  function poll(id) {
    fetch('/api/jobs/' + id).then(json).then(function (job) {
      if (current !== id) return;
      show(job);
      if (current === id) pollTimer = setTimeout(function () { poll(id); }, 250);
    }).catch(function (e) {
      if (current !== id) return;
      setStatus(e.message, 'error');
      finish();
    });
  }

  document.getElementById('analysis-form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (current) return;
    var body;
    try {
      body = request();
    } catch (err) {
      setStatus(err.message, 'error');
      return;
    }
    downloads.hidden = true;
    runButton.disabled = true;
    progress.value = 0;
    progress.max = 1;
    setStatus('Sending\u2026');
    fetch('/api/analyze', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
      .then(json).then(function (job) {
        current = job.id;
        cancelButton.disabled = false;
        show(job);
        poll(job.id);
      }).catch(function (err) {
        setStatus(err.message, 'error');
        finish();
      });
  });

  cancelButton.addEventListener('click', function () {
    if (!current) return;
    var id = current;
    fetch('/api/jobs/' + id, {method: 'DELETE'}).then(json).then(function () { setStatus('Cancelling\u2026'); })
      .catch(function (err) { setStatus(err.message, 'error'); });
  });

  function kindBox(k, prefix, checked) {
    var label = document.createElement('label');
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.value = k.id;
    box.id = prefix + k.id;
    box.checked = checked;
    label.title = k.function + ' \u2192 [' + k.axes.join(', ') + ']';
    label.appendChild(box);
    label.appendChild(document.createTextNode(' ' + k.id));
    return label;
  }

  document.getElementById('add-row').addEventListener('click', function () { addRow('', '', '', ''); });

  fetch('/api/model').then(json).then(function (info) {
    document.getElementById('model-name').textContent = info.model;
    document.getElementById('model-shape').textContent = '(' + info.n_layers + ' layers, ' + info.n_heads + ' heads)';
    // The server lists the kinds (id, TransformerLens function, result axes, ticked at first).
    info.patching_kinds.forEach(function (k) {
      kinds.appendChild(kindBox(k, 'kind-', k.ticked));
      attributionKinds.appendChild(kindBox(k, 'attribution-kind-', k.attribution_ticked));
    });
  }).catch(function (e) { setStatus(e.message, 'error'); });

  addRow('When John and Mary went to the shops, John gave the bag to', ' Mary', ' John',
    'When John and Mary went to the shops, Mary gave the bag to');
})();
