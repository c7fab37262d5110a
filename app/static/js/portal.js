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
    $("input.portal-date").datepicker({
      format: "dd.mm.yyyy", language: uk ? "uk" : "en", weekStart: 1,
      autoclose: true, todayHighlight: true
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
