/* Familienwegweiser: search by place and topic, the list sorted by straight-line distance, the map as an extra.
   Plain JavaScript without a framework. Every text from the data reaches the page through textContent, never as
   HTML; links are built from the offer ids only. The search is kept in the address (?ort=…&thema=…), so a result
   can be shared and the back button works. */
(function () {
  'use strict';

  var PAGE_SIZE = 20;
  var EARTH_RADIUS_KM = 6371.0088;
  var LABEL_ZOOM = 11;
  var state = { data: null, places: null, details: null, results: [], shown: 0, place: null, map: null };

  function byId(id) { return document.getElementById(id); }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function getJSON(url) {
    return fetch(url, { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) { throw new Error(url + ': ' + response.status); }
      return response.json();
    });
  }

  /* Great-circle distance (haversine) in km: the straight line a family would measure on a map. */
  function distanceKm(lon1, lat1, lon2, lat2) {
    var rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad;
    var dLon = (lon2 - lon1) * rad;
    var a = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function kmText(km) {
    if (km < 0.1) { return 'unter 0,1 km'; }
    return (km < 10 ? km.toFixed(1) : String(Math.round(km))).replace('.', ',') + ' km';
  }

  function ageText(from, to) {
    function num(v) { return String(v).replace('.', ','); }
    if (from !== null && to !== null) { return num(from) + ' bis ' + num(to) + ' Jahre'; }
    if (from !== null) { return 'ab ' + num(from) + ' Jahren'; }
    return to !== null ? 'bis ' + num(to) + ' Jahre' : '';
  }

  function normalise(text) {
    return String(text || '').toLowerCase().replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue')
      .replace(/ß/g, 'ss').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
  }

  /* The place a family typed: a label from the suggestions, a bare postcode (the middle of its Gemeinden),
     a Gemeinde or Ortsteil name, or the one suggestion that begins with the text. */
  function findPlace(text) {
    var wanted = normalise(text);
    var places = state.places;
    if (!wanted) { return { error: 'Bitte geben Sie Ihren Wohnort oder Ihre Postleitzahl ein.' }; }
    var exact = places.filter(function (p) { return normalise(p[0]) === wanted; });
    if (exact.length) { return { place: exact[0] }; }
    if (/^\d{5}$/.test(wanted)) {
      var same = places.filter(function (p) { return p[5] === wanted; });
      if (!same.length) { return { error: 'Die Postleitzahl ' + wanted + ' kennt der Wegweiser nicht. Bitte geben Sie Ihren Wohnort ein.' }; }
      var lon = same.reduce(function (s, p) { return s + p[3]; }, 0) / same.length;
      var lat = same.reduce(function (s, p) { return s + p[4]; }, 0) / same.length;
      return { place: ['PLZ ' + wanted, wanted, 'p', lon, lat, wanted] };
    }
    var rank = { g: 0, o: 1, p: 2 };
    var named = places.filter(function (p) { return normalise(p[1]) === wanted; });
    if (named.length) { return { place: named.sort(function (a, b) { return rank[a[2]] - rank[b[2]]; })[0] }; }
    var starting = places.filter(function (p) { return normalise(p[0]).indexOf(wanted) === 0 || normalise(p[1]).indexOf(wanted) === 0; });
    if (starting.length === 1) { return { place: starting[0] }; }
    if (starting.length > 1) {
      var some = starting.slice(0, 3).map(function (p) { return p[0]; }).join(', ');
      return { error: 'Mehrere Orte passen zu „' + text + '“, zum Beispiel ' + some + '. Bitte wählen Sie einen aus der Vorschlagsliste.' };
    }
    return { error: '„' + text + '“ kennt der Wegweiser nicht. Bitte geben Sie eine Gemeinde oder Postleitzahl im Kreis ein.' };
  }

  /* An offer's own ages (either may be missing) against a topic's years: they must overlap, not just touch. */
  function overlaps(from, to, ages) {
    var low = from === null ? -Infinity : from;
    var high = to === null ? Infinity : to;
    return low < ages[1] && high > ages[0];
  }

  function search(place, topicId) {
    var data = state.data;
    var topic = data.topics.indexOf(topicId);
    var ages = topic >= 0 ? data.topicAges[topic] : null;
    var found = [];
    data.offers.forEach(function (offer, index) {
      if (topic >= 0 && data.types[offer[2]][1].indexOf(topic) < 0) { return; }
      if (ages && !overlaps(offer[6], offer[7], ages)) { return; }
      var lon = data.origin[0] + offer[4] / data.scale;
      var lat = data.origin[1] + offer[5] / data.scale;
      found.push({ index: index, lon: lon, lat: lat, km: distanceKm(place[3], place[4], lon, lat) });
    });
    found.sort(function (a, b) { return a.km - b.km || (data.offers[a.index][1] < data.offers[b.index][1] ? -1 : 1); });
    return found;
  }

  function offerItem(result, number) {
    var offer = state.data.offers[result.index];
    var item = element('li', 'offer-item');
    item.id = 'treffer-' + number;
    item.tabIndex = -1;
    item.dataset.index = String(result.index);
    item.appendChild(element('span', 'offer-number', number));  // the same number as on the map
    var body = element('div', 'offer-body');
    item.appendChild(body);
    var heading = element('h3');
    var link = element('a', null, offer[1]);
    link.setAttribute('href', 'angebot/' + encodeURIComponent(offer[0]) + '.html');
    heading.appendChild(link);
    body.appendChild(heading);
    var age = ageText(offer[6], offer[7]);
    body.appendChild(element('p', 'offer-meta', state.data.types[offer[2]][0] + (age ? ' · für ' + age : '')));
    var where = element('p', 'offer-where');
    where.appendChild(element('span', 'distance', kmText(result.km)));
    where.appendChild(document.createTextNode(' · '));
    where.appendChild(element('span', 'offer-address', state.data.gemeinden[offer[3]] || ''));
    body.appendChild(where);
    fillDetails(item);
    return item;
  }

  /* Address, hours, telephone, costs, languages and access arrive in details.json after the first list. */
  function fillDetails(item) {
    if (!state.details || item.dataset.details) { return; }
    var row = state.details[Number(item.dataset.index)];
    if (!row) { return; }
    item.dataset.details = '1';
    var body = item.querySelector('.offer-body');
    var offer = state.data.offers[Number(item.dataset.index)];
    var address = row[0] ? row[0] + (row[0].indexOf(state.data.gemeinden[offer[3]]) < 0 ? ', ' + state.data.gemeinden[offer[3]] : '') : '';
    if (address) { item.querySelector('.offer-address').textContent = address; }
    if (row[2]) { body.appendChild(element('p', 'offer-extra', 'Zeiten: ' + row[2])); }
    if (row[1]) {
      var phone = element('p', 'offer-extra', 'Telefon: ');
      var call = element('a', null, row[1]);
      call.setAttribute('href', 'tel:' + row[1].replace(/[^\d+]/g, ''));
      phone.appendChild(call);
      body.appendChild(phone);
    }
    var facts = [];
    if (row[3]) { facts.push('Kosten: ' + row[3]); }
    if (row[4]) { facts.push('Sprachen: ' + row[4]); }
    if (row[5]) { facts.push('Barrierefrei: ' + row[5]); }
    if (facts.length) { body.appendChild(element('p', 'offer-extra', facts.join(' · '))); }
  }

  function showMore(focusFirst) {
    var list = byId('liste');
    var first = null;
    var end = Math.min(state.results.length, state.shown + PAGE_SIZE);
    for (var k = state.shown; k < end; k++) {
      var item = offerItem(state.results[k], k + 1);
      list.appendChild(item);
      first = first || item;
    }
    state.shown = end;
    byId('mehr').hidden = state.shown >= state.results.length;
    if (focusFirst && first) { first.focus(); }
    drawResults();
  }

  function setError(message) {
    var input = byId('ort');
    var error = byId('ort-fehler');
    error.textContent = message || '';
    error.hidden = !message;
    if (message) { input.setAttribute('aria-invalid', 'true'); } else { input.removeAttribute('aria-invalid'); }
  }

  function run(text, topicId) {
    var found = findPlace(text);
    byId('liste').textContent = '';
    state.results = [];
    state.shown = 0;
    byId('mehr').hidden = true;
    if (found.error) {
      setError(found.error);
      byId('status').textContent = 'Keine Suche: ' + found.error;
      state.place = null;
      drawResults();
      return false;
    }
    setError('');
    state.place = found.place;
    state.results = search(found.place, topicId);
    var select = byId('thema');
    var topicLabel = topicId && select.selectedIndex > 0 ? ' zum Thema „' + select.options[select.selectedIndex].text + '“' : '';
    var count = state.results.length;
    byId('status').textContent = count
      ? count + (count === 1 ? ' Angebot' : ' Angebote') + topicLabel + ', sortiert nach Entfernung (Luftlinie) von ' + found.place[0] + '.'
      : 'Keine Angebote' + topicLabel + ' gefunden. Versuchen Sie es ohne Thema.';
    showMore(false);
    loadDetails();
    loadMap();
    return true;
  }

  /* The search in the address (a shared link, back and forward). On the first load, fields a family has already
     filled in while the data was loading are kept when the address holds no search. */
  function fromAddress(firstLoad) {
    var params = new URLSearchParams(window.location.search);
    var text = params.get('ort') || '';
    var topic = params.get('thema') || '';
    if (firstLoad && !text) {
      if (state.pending) { submit(); }
      return;
    }
    byId('ort').value = text;
    var select = byId('thema');
    select.value = state.data.topics.indexOf(topic) >= 0 ? topic : '';
    if (text) { run(text, select.value); }
  }

  function loadDetails() {
    if (state.detailsLoading) { return; }
    state.detailsLoading = getJSON('details.json').then(function (details) {
      state.details = details.d;
      Array.prototype.forEach.call(document.querySelectorAll('.offer-item'), fillDetails);
    }).catch(function () { state.detailsLoading = null; });
  }

  /* ---------------------------------------------------------------- map: outlines, names, numbered results */
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function loadMap() {
    if (state.mapLoading || !byId('karte')) { return; }
    byId('karte-bereich').hidden = false;
    var css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = 'vendor/leaflet/leaflet.css';
    document.head.appendChild(css);
    state.mapLoading = Promise.all([loadScript('vendor/leaflet/leaflet.js'), getJSON('outline.geojson')]).then(function (loaded) {
      makeMap(loaded[1]);
      drawResults();
    }).catch(function () { byId('karte').hidden = true; });
  }

  /* A name or number on the map: a DOM node with textContent (Leaflet would set a string as innerHTML). */
  function label(className, text, size) {
    var node = element('div', className, text);
    var options = { html: node, className: 'label-icon', iconSize: size ? [size, size] : null };
    if (size) { options.iconAnchor = [size / 2, size / 2]; }
    return window.L.divIcon(options);
  }

  function makeMap(outline) {
    var L = window.L;
    // no animations: calmer for people sensitive to motion, and cheaper on a phone
    var map = L.map('karte', { zoomControl: false, attributionControl: false, keyboard: false, zoomSnap: 0.5,
      dragging: !L.Browser.mobile, tap: false, zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false });
    var shapes = L.geoJSON(outline, {
      interactive: false,
      style: function (feature) {
        return feature.properties.k === 'kreis'
          ? { color: '#0b4f8a', weight: 3, fill: false }
          : { color: '#7a8794', weight: 1, fillColor: '#ffffff', fillOpacity: 0.6 };
      }
    }).addTo(map);
    outline.features.forEach(function (feature) {
      if (feature.properties.k !== 'g') { return; }
      var at = feature.properties.l;
      L.marker([at[1], at[0]], { icon: label('gemeinde-label', feature.properties.n), interactive: false, keyboard: false }).addTo(map);
    });
    map.fitBounds(shapes.getBounds());
    var container = byId('karte');
    function toggleLabels() { container.classList.toggle('show-labels', map.getZoom() >= LABEL_ZOOM); }
    map.on('zoomend', toggleLabels);
    toggleLabels();
    state.map = map;
    state.layer = L.layerGroup().addTo(map);
  }

  function drawResults() {
    var L = window.L;
    if (!state.map || !L) { return; }
    state.layer.clearLayers();
    if (!state.place) { return; }
    var bounds = [[state.place[4], state.place[3]]];
    L.marker(bounds[0], { icon: label('place-marker', '+', 28), interactive: false, keyboard: false }).addTo(state.layer);
    state.results.slice(0, state.shown).forEach(function (result, k) {
      var marker = L.marker([result.lat, result.lon], { icon: label('result-marker', k + 1, 28), keyboard: false });
      marker.on('click', function () {
        var item = byId('treffer-' + (k + 1));
        if (item) { item.scrollIntoView({ block: 'center' }); item.focus(); }
      });
      marker.addTo(state.layer);
      if (k < 10) { bounds.push([result.lat, result.lon]); }
    });
    state.map.fitBounds(bounds, { padding: [30, 30], maxZoom: 13 });
  }

  /* ---------------------------------------------------------------- pages */
  function startSearchPage() {
    var form = byId('suche');
    Promise.all([getJSON('offers.json'), getJSON('places.json')]).then(function (loaded) {
      state.data = loaded[0];
      state.places = loaded[1].p;
      var options = document.createDocumentFragment();
      state.places.forEach(function (p) { var option = element('option'); option.value = p[0]; options.appendChild(option); });
      byId('orte').appendChild(options);
      fromAddress(true);
    }).catch(function () {
      byId('status').textContent = 'Die Angebote konnten nicht geladen werden. Bitte laden Sie die Seite neu.';
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      submit();
    });
    byId('mehr').addEventListener('click', function () { showMore(true); });
    window.addEventListener('popstate', function () { if (state.data) { fromAddress(false); } });
  }

  function submit() {
    if (!state.data) {  // still loading: search as soon as the offers are there
      state.pending = true;
      byId('status').textContent = 'Die Angebote werden geladen …';
      return;
    }
    state.pending = false;
    var text = byId('ort').value;
    var topic = byId('thema').value;
    if (run(text, topic)) {
      var query = '?ort=' + encodeURIComponent(text.trim()) + (topic ? '&thema=' + encodeURIComponent(topic) : '');
      window.history.pushState(null, '', query);
      byId('ergebnis-titel').focus();  // on a phone the list lies below the form: bring it into view
    } else {
      byId('ort').focus();
    }
  }

  function startOfferPage() {
    Array.prototype.forEach.call(document.querySelectorAll('.print-button'), function (button) {
      button.hidden = false;
      button.addEventListener('click', function () { window.print(); });
    });
  }

  document.documentElement.classList.add('js');
  if (document.body.dataset.page === 'suche') { startSearchPage(); }
  if (document.body.dataset.page === 'angebot') { startOfferPage(); }
}());
