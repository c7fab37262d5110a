/* Portal UI glue: Ukrainian date pickers and select2 texts, AJAX selects.
   FAB bundles bootstrap-datepicker 1.10.0 and select2 4.0.13 without
   Ukrainian locales; the strings below are theirs, translated. */
(function ($) {
  "use strict";
  var uk = document.documentElement.lang === "uk";

  if ($.fn.datepicker) {
    $.fn.datepicker.dates.uk = {
      days: ["Неділя", "Понеділок", "Вівторок", "Середа", "Четвер", "П'ятниця", "Субота"],
      daysShort: ["Нд", "Пн", "Вт", "Ср", "Чт", "Пт", "Сб"],
      daysMin: ["Нд", "Пн", "Вт", "Ср", "Чт", "Пт", "Сб"],
      months: ["Січень", "Лютий", "Березень", "Квітень", "Травень", "Червень", "Липень",
               "Серпень", "Вересень", "Жовтень", "Листопад", "Грудень"],
      monthsShort: ["Січ", "Лют", "Бер", "Кві", "Тра", "Чер", "Лип", "Сер", "Вер", "Жов",
                    "Лис", "Гру"],
      today: "Сьогодні", clear: "Очистити", format: "dd.mm.yyyy", titleFormat: "MM yyyy",
      weekStart: 1
    };
    // forceParse off: a typed or pasted date stays as typed (the picker would drop
    // «31.02.2026» or revert it silently); the server refuses it with a message.
    $("input.portal-date").datepicker({
      format: "dd.mm.yyyy", language: uk ? "uk" : "en", weekStart: 1,
      autoclose: true, todayHighlight: true, forceParse: false
    });
  }

  var select2Uk = {
    errorLoading: function () { return "Не вдалося завантажити результати."; },
    inputTooShort: function (a) { return "Введіть ще " + (a.minimum - a.input.length) + " симв."; },
    inputTooLong: function (a) { return "Видаліть " + (a.input.length - a.maximum) + " симв."; },
    loadingMore: function () { return "Завантаження…"; },
    maximumSelected: function (a) { return "Можна вибрати не більше " + a.maximum + "."; },
    noResults: function () { return "Нічого не знайдено"; },
    searching: function () { return "Пошук…"; },
    removeAllItems: function () { return "Вилучити все"; }
  };

  // Relation pickers that search on the server instead of listing a whole table.
  function initAjaxSelect() {
    var $el = $(this);
    if ($el.data("select2")) { return; }
    $el.select2({
      theme: "bootstrap",
      allowClear: !$el.prop("required"),
      placeholder: uk ? "Почніть вводити для пошуку…" : "Type to search…",
      minimumInputLength: 0,
      language: uk ? select2Uk : undefined,
      ajax: {
        url: $el.data("lookup-url"), dataType: "json", delay: 250,
        data: function (p) { return { q: p.term || "", page: p.page || 1 }; }
      }
    });
  }
  $("select.portal-ajax-select").each(initAjaxSelect);
  // FAB's search form adds a filter's field when the user picks it from "Add
  // filter": give a relation filter the same server-searched picker.
  $(document).on("click", "#filter_form a.filter", function () {
    $("#filter_form select.portal-ajax-select").each(initAjaxSelect);
  });

  if (uk && $.fn.select2) {
    // Re-initialise FAB's plain selects with Ukrainian texts and placeholder.
    $(".my_select2").each(function () {
      var $el = $(this);
      if ($el.data("select2")) { $el.select2("destroy"); }
      $el.select2({ placeholder: "Оберіть значення", allowClear: true, theme: "bootstrap",
                    language: select2Uk });
    });
  }

  // select2 hides the <select> behind its own widgets, which have no name of their
  // own: give them the field's label, so a screen reader says what is being chosen.
  function fieldName($select) {
    var id = $select.attr("id");
    var $label = id ? $("label[for='" + id + "']") : $();
    var text = $label.length ? $label.first().text() : ($select.attr("aria-label") || "");
    return $.trim(text.replace(/\*\s*$/, ""));
  }
  function nameSelect2Widgets() {
    $("select").each(function () {
      var $select = $(this), widget = $select.data("select2");
      if (!widget) { return; }
      var name = fieldName($select) || (uk ? "Вибір значення" : "Choose a value");
      widget.$container.find(".select2-selection").attr("aria-label", name);
      widget.$container.find(".select2-selection__rendered").attr("aria-label", name);
      widget.$container.find(".select2-search__field").attr("aria-label", name);
      // A multiple choice's «clear all» cross sits inside its list (<ul>), where only
      // list items belong: keep it beside the list, with a Ukrainian title.
      widget.$container.find(".select2-selection--multiple").each(function () {
        var $selection = $(this), $list = $selection.children("ul.select2-selection__rendered");
        var $inner = $list.children("span.select2-selection__clear");
        if ($inner.length) {
          $selection.children("span.select2-selection__clear").remove();
          $inner.attr("title", uk ? "Вилучити все" : "Remove all items").insertBefore($list);
        } else if (!$list.children("li.select2-selection__choice").length) {
          $selection.children("span.select2-selection__clear").remove();
        }
      });
    });
  }
  nameSelect2Widgets();
  // FAB's own script sets up its selects when the page is ready: name them after it.
  $(function () { window.setTimeout(nameSelect2Widgets, 0); });
  $(document).on("click", "#filter_form a.filter", nameSelect2Widgets);
  $(document).on("change", "select", function () {
    window.setTimeout(nameSelect2Widgets, 0);  // select2 redraws a multiple choice
  });
  $(document).on("select2:open", function (event) {
    var name = fieldName($(event.target)) || (uk ? "Пошук" : "Search");
    $(".select2-container--open .select2-search__field").attr("aria-label", name);
  });
})(jQuery);

/* A record page opened at "#<Tab>" (where the portal sends the user after
   saving a child record: a plan item -> the case page, tab "Plan") shows that
   tab. FAB's ab_keep_tab.js reopens the last tab from localStorage, so the
   address's tab is stored there first and shown once the page is ready. */
(function ($) {
  "use strict";
  var hash = window.location.hash;
  if (!hash || !/^#[A-Za-z][\w-]*$/.test(hash)) { return; }
  try { window.localStorage.setItem("lastTab", hash); } catch (e) { /* private mode */ }
  $(function () {
    var link = $('a[data-toggle="tab"][href="' + hash + '"]');
    if (link.length) { link.tab("show"); }
  });
})(window.jQuery);

/* An irreversible action's form carries data-confirm: the person confirms
   what will happen before it is sent (the text is also shown beside it). */
(function ($) {
  "use strict";
  $(document).on("submit", "form[data-confirm]", function (event) {
    if (!window.confirm(this.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})(window.jQuery);

/* «All present» of a session on the group attendance form: every participant's mark
   of that session set to present (the trainer then changes the few absent ones). */
(function ($) {
  "use strict";
  $(document).on("click", ".portal-mark-all", function () {
    var session = String($(this).data("session"));
    $("form.training-attendance select[name^='status-']").each(function () {
      if (this.name.split("-").pop() === session) { $(this).val("present").trigger("change"); }
    });
  });
})(jQuery);

/* The portal's own validation texts instead of the browser's («Please fill out this
   field.» in the browser's language): set when a field is found invalid, cleared as
   soon as the user changes it. */
(function () {
  "use strict";
  var uk = document.documentElement.lang === "uk";
  if (!uk) { return; }
  function message(el) {
    var v = el.validity;
    if (v.valueMissing) {
      return el.tagName === "SELECT" ? "Оберіть значення зі списку." :
        (el.type === "checkbox" ? "Позначте це поле, щоб продовжити." : "Заповніть це поле.");
    }
    if (v.typeMismatch) {
      return el.type === "email" ? "Введіть адресу електронної пошти, наприклад name@example.org." :
        "Перевірте формат значення.";
    }
    if (v.rangeUnderflow) { return "Значення має бути не менше " + el.min + "."; }
    if (v.rangeOverflow) { return "Значення має бути не більше " + el.max + "."; }
    if (v.tooLong) { return "Не більше " + el.maxLength + " символів."; }
    if (v.badInput) { return "Введіть число."; }
    if (v.stepMismatch) { return "Введіть допустиме значення."; }
    if (v.patternMismatch) { return el.title || "Перевірте формат значення."; }
    return "";
  }
  document.addEventListener("invalid", function (event) {
    var el = event.target;
    if (el && el.validity && el.setCustomValidity) {
      el.setCustomValidity("");
      if (!el.validity.valid) { el.setCustomValidity(message(el)); }
    }
  }, true);
  function reset(event) {
    if (event.target && event.target.setCustomValidity) { event.target.setCustomValidity(""); }
  }
  document.addEventListener("input", reset, true);
  document.addEventListener("change", reset, true);
})();
