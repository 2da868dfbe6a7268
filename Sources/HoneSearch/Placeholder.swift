// HoneSearch
